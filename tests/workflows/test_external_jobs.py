"""external_check and native_job: a service task with a topic becomes a job an external worker completes.

Every path: the job opened when the case reaches the task, completion goes on to the review, failures with retries
and then an incident (retried, resolved), the worker's BPMN error caught by the error boundary event. Each bus
checks the stored rows against the live workflow after every command (serializer round trip at each step, hot and
cold), and every case replays after the test (conftest).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fixture_types import HumanTask, Rows, Sql

from engine.domain import commands as c
from engine.domain import jobs as j
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotFound
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus

TOPIC = (j.TopicRequest("address-check", 60_000),)


def fetch(bus: MessageBus, worker: str = "w1", topics: tuple[j.TopicRequest, ...] = TOPIC,
          max_jobs: int = 10) -> list[j.LockedJob]:
    locked: list[j.LockedJob] = bus.handle(j.FetchAndLockJobs(worker, topics, max_jobs))
    return locked


def start(bus: MessageBus) -> int:
    ref = bus.handle(c.StartCase("external_check", {"address": "1 Main St"}, "alice"))
    assert ref.ready_tasks == ()  # nothing for people yet: the case waits for the worker
    return int(ref.case_id)


def types(events: Rows, case_id: int) -> list[str]:
    return [e.event_type for e in events(case_id)]


def test_the_job_opens_at_the_task_with_the_case_data(each_bus: MessageBus, sql: Sql, events: Rows) -> None:
    case_id = start(each_bus)
    (job,) = sql("SELECT * FROM jobs WHERE case_id = :id", id=case_id)
    # No retries modelled: 3 retries (4 attempts, counted Camunda's way), one minute apart; no connector's call
    assert (job.bpmn_id, job.topic, job.state, job.lock_owner, job.retries, job.retry_backoff_ms,
            job.connector_call) == ("check_address", "address-check", "open", None, 4, 60_000, None)
    assert json.loads(job.variables) == {"address": "1 Main St"}
    created = [e for e in events(case_id) if e.event_type == "job_created"]
    assert [(e.task_id, e.bpmn_id, json.loads(e.data)) for e in created] == [
        (job.task_id, "check_address", {"topic": "address-check"})]
    assert sql("SELECT status FROM cases WHERE id = :id", id=case_id)[0].status == "running"


def test_completion_merges_the_variables_and_goes_on_exactly_once(each_bus: MessageBus, sql: Sql, events: Rows,
                                                                   human_task: HumanTask) -> None:
    case_id = start(each_bus)
    (locked,) = fetch(each_bus)
    assert locked.variables == {"address": "1 Main St"}
    ref = each_bus.handle(j.CompleteJob(locked.id, "w1", {"district": "Xiangcheng"}))
    (review,) = ref.ready_tasks
    assert human_task(review).bpmn_id == "review_check"
    assert sql("SELECT state FROM jobs WHERE id = :id", id=locked.id)[0].state == "completed"
    (done,) = [e for e in events(case_id) if e.event_type == "job_completed"]
    assert json.loads(done.data) == {"worker": "w1", "variables": {"district": "Xiangcheng"}}
    with pytest.raises(ConcurrencyConflict, match="completed"):
        each_bus.handle(j.CompleteJob(locked.id, "w1", {"district": "again"}))
    each_bus.handle(c.CompleteHumanTask(review, {}, "bob"))
    assert types(events, case_id)[-1] == "case_completed"
    data = sql("SELECT d.data FROM workflow_tasks t JOIN task_data d ON d.case_id = t.case_id AND d.hash = t.data_hash"
               " WHERE t.case_id = :id AND t.spec_name = 'check_done'", id=case_id)
    assert json.loads(data[0].data)["district"] == "Xiangcheng"


def test_a_locked_job_is_not_fetched_again_until_its_lock_expires(bus: MessageBus, clock: FakeClock) -> None:
    start(bus)
    (first,) = fetch(bus, "w1")
    assert fetch(bus, "w2") == []
    clock.advance(seconds=59)
    assert fetch(bus, "w2") == []
    clock.advance(seconds=1)
    (again,) = fetch(bus, "w2")  # the lock expired: another worker takes it over
    assert again.id == first.id
    with pytest.raises(ConcurrencyConflict, match="another worker"):
        bus.handle(j.CompleteJob(first.id, "w1", {}))
    bus.handle(j.CompleteJob(first.id, "w2", {}))


def test_extending_the_lock_keeps_others_out(bus: MessageBus, clock: FakeClock) -> None:
    start(bus)
    (job,) = fetch(bus, "w1")
    clock.advance(seconds=50)
    until = bus.handle(j.ExtendJobLock(job.id, "w1", 60_000))
    assert until == clock.now() + timedelta(minutes=1)
    clock.advance(seconds=30)
    assert fetch(bus, "w2") == []
    with pytest.raises(ConcurrencyConflict):
        bus.handle(j.ExtendJobLock(job.id, "w2", 60_000))


def test_failures_back_off_then_become_an_incident_retried_by_an_operator(each_bus: MessageBus, sql: Sql,
                                                                          clock: FakeClock, events: Rows) -> None:
    case_id = start(each_bus)
    (job,) = fetch(each_bus)
    failed = each_bus.handle(j.FailJob(job.id, "w1", "gazetteer down", retries=1, retry_timeout_ms=30_000))
    assert (failed.incident, failed.retries) == (False, 1)
    assert "job_failed" not in types(events, case_id)  # the case did not change
    assert fetch(each_bus) == []  # backing off
    clock.advance(seconds=30)
    (again,) = fetch(each_bus)
    assert (again.id, again.retries) == (job.id, 1)
    failed = each_bus.handle(j.FailJob(job.id, "w1", "gazetteer still down", retries=0))
    assert failed.incident
    (row,) = sql("SELECT state, retries, error_message FROM jobs WHERE id = :id", id=job.id)
    assert tuple(row) == ("incident", 0, "gazetteer still down")
    (incident,) = sql("SELECT * FROM incidents WHERE case_id = :id", id=case_id)
    assert (incident.kind, incident.element, incident.job_id, incident.message, incident.resolved_at) == (
        "job", "check_address", job.id, "gazetteer still down", None)
    assert types(events, case_id)[-1] == "job_failed"
    clock.advance(hours=1)
    assert fetch(each_bus) == []  # an incident is not fetched

    each_bus.handle(j.RetryIncident(incident.id, "admin", retries=2, note="gazetteer is back"))
    (closed,) = sql("SELECT resolution, resolved_by, note FROM incidents WHERE id = :id", id=incident.id)
    assert tuple(closed) == ("retried", "admin", "gazetteer is back")
    last = events(case_id)[-1]
    assert (last.event_type, last.task_id, last.bpmn_id, last.actor) == (
        "incident_retried", job.task_id, "check_address", "admin")
    (fetched,) = fetch(each_bus)
    assert fetched.retries == 2
    with pytest.raises(ConcurrencyConflict, match="already resolved"):
        each_bus.handle(j.RetryIncident(incident.id, "admin"))
    each_bus.handle(j.CompleteJob(fetched.id, "w1", {"district": "Longwen"}))


def test_an_incident_resolved_with_a_note_stays_out_of_the_queue(bus: MessageBus, sql: Sql, events: Rows) -> None:
    case_id = start(bus)
    (job,) = fetch(bus)
    bus.handle(j.FailJob(job.id, "w1", "no such service", retries=0))
    (incident,) = sql("SELECT id FROM incidents WHERE case_id = :id", id=case_id)
    with pytest.raises(InvalidCommand) as refused:
        bus.handle(j.ResolveIncident(incident.id, "admin", note=" "))
    assert refused.value.field == "note"
    bus.handle(j.ResolveIncident(incident.id, "admin", note="checked by phone"))
    assert sql("SELECT resolution FROM incidents WHERE id = :id", id=incident.id)[0].resolution == "resolved"
    assert json.loads(events(case_id)[-1].data)["note"] == "checked by phone"
    assert fetch(bus) == []


def test_a_bpmn_error_is_caught_by_the_boundary_event(each_bus: MessageBus, sql: Sql, events: Rows,
                                                      human_task: HumanTask) -> None:
    case_id = start(each_bus)
    (job,) = fetch(each_bus)
    with pytest.raises(InvalidCommand) as refused:  # no boundary event catches this code: nothing written
        each_bus.handle(j.ThrowJobError(job.id, "w1", "OTHER_CODE"))
    assert refused.value.field == "error_code"
    ref = each_bus.handle(j.ThrowJobError(job.id, "w1", "ADDRESS_UNKNOWN", "not in the gazetteer",
                                          {"reason": "unknown street"}))
    (fix,) = ref.ready_tasks
    assert human_task(fix).bpmn_id == "fix_address"
    assert sql("SELECT state FROM jobs WHERE id = :id", id=job.id)[0].state == "errored"
    step = [e.event_type for e in events(case_id)][-4:]
    assert step == ["job_bpmn_error", "task_ready", "job_cancelled", "data_changed"]
    each_bus.handle(c.CompleteHumanTask(fix, {}, "bob"))
    assert types(events, case_id)[-1] == "case_completed"


def test_only_the_locking_worker_acts_and_input_is_checked(bus: MessageBus) -> None:
    start(bus)
    with pytest.raises(NotFound):
        bus.handle(j.CompleteJob(999, "w1", {}))
    (job,) = fetch(bus)
    with pytest.raises(ConcurrencyConflict):
        bus.handle(j.FailJob(job.id, "w2", "not mine", retries=0))
    for bad, field in ((j.FetchAndLockJobs("", TOPIC), "worker_id"),
                       (j.FetchAndLockJobs("w1", ()), "topics"),
                       (j.FetchAndLockJobs("w1", (j.TopicRequest("t", 0),)), "topics[0].lock_duration_ms"),
                       (j.FetchAndLockJobs("w1", TOPIC, 0), "max_jobs"),
                       (j.FailJob(job.id, "w1", "x", retries=-1), "retries"),
                       (j.CompleteJob(job.id, "w1", {"bad": float("nan")}), "bad")):
        with pytest.raises(InvalidCommand) as refused:
            bus.handle(bad)
        assert refused.value.field == field


def test_the_gridcase_topic_property_and_fetching_by_several_topics(bus: MessageBus, clock: FakeClock,
                                                                    events: Rows) -> None:
    check = start(bus)
    native = bus.handle(c.StartCase("native_job", {}, "alice")).case_id
    locked = fetch(bus, topics=(j.TopicRequest("notify", 1000), *TOPIC))
    assert [(x.case_id, x.topic, x.bpmn_id) for x in locked] == [(native, "notify", "notify_department"),
                                                                  (check, "address-check", "check_address")]
    assert as_utc(locked[0].lock_expires_at) == clock.now() + timedelta(seconds=1)
    bus.handle(j.CompleteJob(locked[0].id, "w1", {}))
    assert types(events, native)[-1] == "case_completed"


def test_a_failed_timer_is_an_incident_an_operator_fires_again(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    from engine.scheduling.scheduler import TimerScheduler

    ref = bus.handle(c.StartCase("failing_escalation", {"hours_late": 0}, "alice"))
    clock.advance(hours=2)
    scheduler = TimerScheduler(bus)
    scheduler.fire_due()
    (incident,) = sql("SELECT * FROM incidents WHERE case_id = :id", id=ref.case_id)
    (timer,) = sql("SELECT id, status, bpmn_id FROM timers WHERE case_id = :id", id=ref.case_id)
    assert (incident.kind, incident.timer_id, incident.element, timer.status) == ("timer", timer.id, timer.bpmn_id,
                                                                                  "failed")
    bus.handle(j.RetryIncident(incident.id, "admin", note="model fixed"))
    assert sql("SELECT status FROM timers WHERE id = :id", id=timer.id)[0].status == "pending"
    scheduler.fire_due()  # still failing: a new incident
    assert len(sql("SELECT id FROM incidents WHERE case_id = :id AND resolved_at IS NULL", id=ref.case_id)) == 1


def test_an_error_no_boundary_on_the_task_catches_goes_to_the_subprocess_around_it(each_bus: MessageBus, sql: Sql,
                                                                                   events: Rows,
                                                                                   human_task: HumanTask) -> None:
    case_id = each_bus.handle(c.StartCase("external_in_subprocess", {}, "alice")).case_id
    (job,) = fetch(each_bus, topics=(j.TopicRequest("deep-check", 1000),))
    ref = each_bus.handle(j.ThrowJobError(job.id, "w1", "ANY_CODE", "", {"why": "broken"}))
    (handle,) = ref.ready_tasks
    assert human_task(handle).bpmn_id == "handle_failure"
    assert sql("SELECT state FROM jobs WHERE id = :id", id=job.id)[0].state == "errored"
    assert "job_cancelled" in types(events, case_id)
    each_bus.handle(c.CompleteHumanTask(handle, {}, "bob"))
    assert types(events, case_id)[-1] == "case_completed"
