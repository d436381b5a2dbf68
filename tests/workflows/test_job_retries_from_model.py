"""Retries and back-off from the model (the properties ``retries``/``retryBackoff`` and Camunda's
``failedJobRetryTimeCycle``), failures that leave them to the model, what the deploy refuses, and a connector task's
call prepared in the step (tests/fixtures/connectors). The clock is moved, never slept; each bus checks the stored
rows against the live workflow after every command, and every case replays after the test (conftest)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fixture_types import Sql

from engine.domain import commands as c
from engine.domain import jobs as j
from engine.domain.clock import FakeClock
from engine.domain.errors import GridcaseError, InvalidCommand, ScriptRejected
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

CONNECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "connectors"
FLAKY = (j.TopicRequest("flaky", 60_000),)


@pytest.fixture
def models(each_bus: MessageBus) -> MessageBus:
    """The bus with the retry models and the http models (a made-up server: nothing is called here)."""
    sources = read_sources([CONNECTORS])
    sources = {name: text.replace("__SERVER__", "api.example.org") for name, text in sources.items()}
    each_bus.handle(c.DeployProcesses(sources, "tests"))
    return each_bus


def start(bus: MessageBus, process: str, data: dict[str, object] | None = None) -> int:
    return int(bus.handle(c.StartCase(process, data or {}, "alice")).case_id)


def fail_until_incident(bus: MessageBus, clock: FakeClock, sql: Sql, case_id: int) -> list[tuple[int, float]]:
    """Fail the case's job, leaving retries and back-off to the model, until it is an incident; (retries left,
    seconds waited) of each failure that was retried."""
    waits: list[tuple[int, float]] = []
    for _ in range(20):
        (locked,) = [job for job in bus.handle(j.FetchAndLockJobs("w1", FLAKY)) if job.case_id == case_id]
        failed = bus.handle(j.FailJob(locked.id, "w1", "down"))
        if failed.incident:
            assert sql("SELECT state FROM jobs WHERE id = :id", id=locked.id)[0].state == "incident"
            return waits
        assert failed.retry_at is not None
        waits.append((failed.retries, (failed.retry_at - clock.now()).total_seconds()))
        assert bus.handle(j.FetchAndLockJobs("w1", FLAKY)) == []  # backing off
        clock.advance(seconds=(failed.retry_at - clock.now()).total_seconds())
    raise AssertionError("never became an incident")


def test_retries_and_back_off_from_the_properties(models: MessageBus, clock: FakeClock, sql: Sql) -> None:
    case_id = start(models, "retry_properties")
    (row,) = sql("SELECT retries, retry_backoff_ms FROM jobs WHERE case_id = :id", id=case_id)
    assert (row.retries, row.retry_backoff_ms) == (2, 30_000)  # retries 1: two attempts, 30 s apart
    assert fail_until_incident(models, clock, sql, case_id) == [(1, 30.0)]
    assert sql("SELECT COUNT(*) AS n FROM incidents WHERE case_id = :id", id=case_id)[0].n == 1


def test_camunda_failed_job_retry_time_cycle(models: MessageBus, clock: FakeClock, sql: Sql) -> None:
    case_id = start(models, "retry_cycle")
    assert fail_until_incident(models, clock, sql, case_id) == [(3, 300.0), (2, 300.0), (1, 300.0)]


def test_no_retries_modelled_three_a_minute_apart(models: MessageBus, clock: FakeClock, sql: Sql) -> None:
    case_id = start(models, "retry_defaults")
    assert fail_until_incident(models, clock, sql, case_id) == [(3, 60.0), (2, 60.0), (1, 60.0)]


def test_what_the_worker_says_wins(models: MessageBus, clock: FakeClock, sql: Sql) -> None:
    case_id = start(models, "retry_cycle")
    (locked,) = models.handle(j.FetchAndLockJobs("w1", FLAKY))
    failed = models.handle(j.FailJob(locked.id, "w1", "down", retries=7, retry_timeout_ms=1_000))
    assert (failed.retries, failed.retry_at) == (7, clock.now() + timedelta(seconds=1))
    clock.advance(seconds=1)
    (again,) = models.handle(j.FetchAndLockJobs("w1", FLAKY))
    failed = models.handle(j.FailJob(again.id, "w1", "down", retry_timeout_ms=0))  # retries from the job: 7 - 1
    assert (failed.retries, failed.retry_at) == (6, clock.now())
    (again,) = models.handle(j.FetchAndLockJobs("w1", FLAKY))
    failed = models.handle(j.FailJob(again.id, "w1", "down", retries=0))
    assert failed.incident and sql("SELECT state FROM jobs WHERE case_id = :id", id=case_id)[0].state == "incident"


def test_the_http_call_is_prepared_in_the_step(models: MessageBus, sql: Sql) -> None:
    case_id = start(models, "http_lookup", {"item": "a b/c?d", "kind": "x&y"})
    (row,) = sql("SELECT topic, retries, retry_backoff_ms, connector_call, variables FROM jobs WHERE case_id = :id",
                 id=case_id)
    assert (row.topic, row.retries, row.retry_backoff_ms) == ("gridcase:http", 3, 30_000)
    assert json.loads(row.connector_call) == {
        "connector": "http", "method": "POST", "url": "http://api.example.org/items/a%20b%2Fc%3Fd?kind=x%26y",
        "body": {"item": "a b/c?d", "count": 7}, "result": "lookup_result", "timeout": 5.0}
    assert json.loads(row.variables) == {"item": "a b/c?d", "kind": "x&y"}


def test_a_missing_url_variable_fails_the_step_naming_the_task(models: MessageBus, sql: Sql) -> None:
    with pytest.raises(ScriptRejected, match=r"lookup.*'kind'"):
        start(models, "http_lookup", {"item": "a"})
    with pytest.raises(ScriptRejected, match="lookup"):  # the body's len() of a number
        start(models, "http_lookup", {"item": 5, "kind": "x"})
    assert sql("SELECT COUNT(*) AS n FROM jobs WHERE topic = 'gridcase:http'")[0].n == 0


def test_external_workers_cannot_take_connector_jobs(models: MessageBus) -> None:
    start(models, "http_lookup", {"item": "a", "kind": "b"})
    with pytest.raises(InvalidCommand) as refused:
        models.handle(j.FetchAndLockJobs("w1", (j.TopicRequest("gridcase:http", 1000),)))
    assert refused.value.field == "topics[0].topic"
    with pytest.raises(InvalidCommand) as refused:
        models.handle(j.FetchAndLockJobs("gridcase:me", FLAKY))
    assert refused.value.field == "worker_id"
    (locked,) = models.handle(j.FetchAndLockJobs("gridcase:loop", (j.TopicRequest("gridcase:http", 1000),),
                                                 connector=True))
    assert locked.call is not None and locked.call["url"] == "http://api.example.org/items/a?kind=b"
    with pytest.raises(InvalidCommand):  # a worker posing as the connector
        models.handle(j.CompleteJob(locked.id, "gridcase:loop", {}))


BAD_MODELS = {
    "retries": ('<spiffworkflow:property name="topic" value="t"/><spiffworkflow:property name="retries" value="-1"/>',
                "retries '-1'"),
    "retryBackoff": ('<spiffworkflow:property name="topic" value="t"/>'
                     '<spiffworkflow:property name="retryBackoff" value="5 minutes"/>', "retryBackoff"),
    "connector": ('<spiffworkflow:property name="connector" value="smtp"/>', "unknown connector 'smtp'"),
    "httpUrl": ('<spiffworkflow:property name="connector" value="http"/>', '"httpUrl"'),
    "httpTimeout": ('<spiffworkflow:property name="connector" value="http"/>'
                    '<spiffworkflow:property name="httpUrl" value="https://x/"/>'
                    '<spiffworkflow:property name="httpTimeout" value="61"/>', "httpTimeout"),
    "httpBody": ('<spiffworkflow:property name="connector" value="http"/>'
                 '<spiffworkflow:property name="httpUrl" value="https://x/"/>'
                 '<spiffworkflow:property name="httpMethod" value="POST"/>'
                 '<spiffworkflow:property name="httpBody" value="__import__(1)"/>', "httpBody"),
    "reserved topic": ('<spiffworkflow:property name="topic" value="gridcase:http"/>', "gridcase's own"),
}


@pytest.mark.parametrize("name", sorted(BAD_MODELS))
def test_bad_properties_are_refused_at_deploy_naming_the_element(bus: MessageBus, name: str) -> None:
    properties, expected = BAD_MODELS[name]
    bpmn = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
            ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">'
            '<bpmn:process id="bad_retries" isExecutable="true"><bpmn:startEvent id="s"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="bad_task"/><bpmn:serviceTask id="bad_task">'
            f'<bpmn:extensionElements><spiffworkflow:properties>{properties}</spiffworkflow:properties>'
            '</bpmn:extensionElements></bpmn:serviceTask>'
            '<bpmn:sequenceFlow id="f2" sourceRef="bad_task" targetRef="e"/>'
            '<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>')
    with pytest.raises(GridcaseError, match=r"bad_task") as refused:
        bus.handle(c.DeployProcesses({"bad.bpmn": bpmn}, "tests"))
    assert expected in str(refused.value)


def test_a_camunda_cycle_with_a_list_of_waits_is_refused(bus: MessageBus) -> None:
    bpmn = (CONNECTORS / "retry_models.bpmn").read_text("utf-8").replace("R3/PT5M", "PT10M,PT20M")
    with pytest.raises(GridcaseError, match=r"cycle_task.*failedJobRetryTimeCycle"):
        bus.handle(c.DeployProcesses({"retry_models.bpmn": bpmn}, "tests"))


def test_a_connector_job_completes_and_throws_like_any_job_and_replays(models: MessageBus, sql: Sql) -> None:
    """What the connector loop sends (a 200, a 404): the answer into the case, the error to the boundary event;
    conftest replays both cases, re-preparing the call in the step."""
    answered, missing = (start(models, "http_lookup", {"item": item, "kind": "k"}) for item in ("a", "b"))
    http = (j.TopicRequest("gridcase:http", 90_000),)
    jobs = {job.case_id: job for job in models.handle(j.FetchAndLockJobs("gridcase:l", http, connector=True))}
    ok = {"lookup_result": {"status": 200, "body": {"found": True}}}
    ref = models.handle(j.CompleteJob(jobs[answered].id, "gridcase:l", ok, "scheduler", connector=True))
    assert len(ref.ready_tasks) == 1
    gone = {"lookup_result": {"status": 404, "body": "no such item"}}
    ref = models.handle(j.ThrowJobError(jobs[missing].id, "gridcase:l", "HTTP_404", "GET … answered 404", gone,
                                        "scheduler", connector=True))
    assert len(ref.ready_tasks) == 1
    states = sql("SELECT case_id, state FROM jobs WHERE topic = 'gridcase:http' ORDER BY case_id")
    assert [(r.case_id, r.state) for r in states] == [(answered, "completed"), (missing, "errored")]
    tasks = sql("SELECT case_id, bpmn_id FROM human_tasks WHERE case_id IN (:a, :b) ORDER BY case_id",
                a=answered, b=missing)
    assert [(r.case_id, r.bpmn_id) for r in tasks] == [(answered, "use_result"), (missing, "handle_missing")]
