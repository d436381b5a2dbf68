"""Who gets a notification, on SQLite and PostgreSQL: a group's notification fans out to the group's and each
member's subscriptions (the ``events`` filter applies) and gives every member an inbox item; the same event twice
is one notification; bad subscriptions are refused naming the field; engine events (a task made ready) and the
``notify`` service task write notifications in their step's transaction; on PostgreSQL the inbox and task lists
wake their listeners (``pg_notify``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import Engine

from engine.connectors.base import ConnectorSettings
from engine.domain import commands as c
from engine.domain import notification_commands as nc
from engine.domain.errors import InvalidCommand, NotFound
from engine.domain.notifications import NotifyPolicy
from engine.domain.views import StepRecord
from engine.persistence.read import notifications as reads
from engine.persistence.uow import command_scope
from engine.scheduling.connectors import ConnectorLoop
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from engine.service.notifications import notifier_of
from engine.service.step_hooks import run_step_hooks

MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "connectors" / "notify_steps.bpmn"
Sql = Callable[..., list[Any]]


def add_dispatchers(bus: MessageBus, *names: str) -> None:
    for name in names:
        bus.handle(c.AddUser(name, name.title(), "dispatcher", "a-long-password-1"))


def test_a_group_fans_out_to_its_subscriptions_and_its_members(bus: MessageBus, sql: Sql) -> None:
    add_dispatchers(bus, "dora", "dan")
    bus.handle(c.AddUser("sam", "Sam", "supervisor", "a-long-password-1"))
    bus.handle(nc.SetSubscription("group", "dispatcher", "webhook", "json://127.0.0.1:9/desk"))
    bus.handle(nc.SetSubscription("person", "dora", "email", "dora@example.org", events=("task_assigned",)))
    bus.handle(nc.SetSubscription("person", "dan", "email", "dan@example.org", events=("task_overdue",)))
    bus.handle(nc.SetSubscription("person", "dan", "sms", "twilio://sid:token@15551234567/13800000000", enabled=False))
    bus.handle(nc.SetSubscription("person", "sam", "email", "sam@example.org"))  # not a dispatcher
    (notification,) = bus.handle(nc.SendNotification("task_assigned", ("group:dispatcher",), data={"case_no": "7"}))
    rows = sql("SELECT channel, address, account, status FROM notification_deliveries WHERE notification_id = :n"
               " ORDER BY id", n=notification)
    assert [tuple(r) for r in rows] == [("webhook", "json://127.0.0.1:9/desk", None, "queued"),
                                        ("email", "dora@example.org", "dora", "queued")]
    items = sql("SELECT account, title FROM inbox_items ORDER BY account")
    assert [tuple(r) for r in items] == [("dan", "【派遣】案件 7：—"), ("dora", "【派遣】案件 7：—")]
    bus.handle(nc.SendNotification("task_overdue", ("group:dispatcher",), data={"case_no": "7"}))
    assert [r[0] for r in sql("SELECT address FROM notification_deliveries ORDER BY id")][2:] == [
        "json://127.0.0.1:9/desk", "dan@example.org"]


def test_the_same_event_twice_is_one_notification(bus: MessageBus, sql: Sql) -> None:
    first = bus.handle(nc.SendNotification("supervision", ("person:alice",), dedupe_key="supervise:42"))
    again = bus.handle(nc.SendNotification("supervision", ("person:alice",), dedupe_key="supervise:42"))
    assert len(first) == 1 and again == []
    assert sql("SELECT COUNT(*) FROM notifications")[0][0] == 1
    assert sql("SELECT COUNT(*) FROM inbox_items")[0][0] == 1


@pytest.mark.parametrize("changes, field", [
    ({"subject_kind": "team"}, "subject_kind"),
    ({"subject": " "}, "subject"),
    ({"channel": "pigeon"}, "channel"),
    ({"address": "not an address"}, "address"),
    ({"channel": "webhook", "address": "mailto://x@example.org"}, "address"),
    ({"channel": "sms", "address": "ntfy://10.0.0.5:8080/t"}, "address"),
    ({"channel": "email", "address": "mailto://x@example.org?smtp=127.0.0.1"}, "address"),
    ({"channel": "webhook", "address": "json://hooks.example.org/x?rto=100000&redirect=yes"}, "address"),
    ({"channel": "in_app", "address": "x@example.org"}, "address"),
    ({"events": ("task_assigned", "lunch")}, "events"),
    ({"locale": "fr"}, "locale"),
])
def test_a_bad_subscription_is_refused_naming_the_field(bus: MessageBus, sql: Sql, changes: dict[str, Any],
                                                        field: str) -> None:
    fields: dict[str, Any] = {"subject_kind": "person", "subject": "alice", "channel": "email",
                              "address": "alice@example.org", **changes}
    with pytest.raises(InvalidCommand) as refused:
        bus.handle(nc.SetSubscription(**fields))
    assert refused.value.field == field and refused.value.http_status == 422
    assert sql("SELECT COUNT(*) FROM notification_subscriptions")[0][0] == 0


def test_subscriptions_are_updated_in_place_listed_and_removed(bus: MessageBus) -> None:
    first = bus.handle(nc.SetSubscription("person", "alice", "email", "alice@example.org"))
    same = bus.handle(nc.SetSubscription("person", "alice", "email", "alice@example.org", events=("rework",),
                                         locale="en"))
    assert same == first
    with bus.deps.uow() as uow:
        (found,) = reads.subscriptions_of(uow.store, "person", "alice")
    assert (found["events"], found["locale"], found["enabled"]) == (["rework"], "en", True)
    bus.handle(nc.RemoveSubscription(first))
    with pytest.raises(NotFound):
        bus.handle(nc.RemoveSubscription(first))


def test_inbox_pages_and_marking_read(bus: MessageBus) -> None:
    for i in range(3):
        bus.handle(nc.SendNotification("rework", ("person:alice",), data={"case_no": str(i)}))
    with bus.deps.uow() as uow:
        page = reads.inbox(uow.store, "alice", 2)
        older = reads.inbox(uow.store, "alice", 2, before_id=page[-1]["id"])
    assert [i["title"] for i in page + older] == ["【返工】案件 2", "【返工】案件 1", "【返工】案件 0"]
    assert bus.handle(nc.MarkNotificationsRead("alice", (page[0]["id"],))) == 1
    assert bus.handle(nc.MarkNotificationsRead("bob")) == 0  # not his
    assert bus.handle(nc.MarkNotificationsRead("alice")) == 2
    with bus.deps.uow() as uow:
        assert reads.unread_count(uow.store, "alice") == 0


def test_engine_events_and_the_notify_service_task_write_notifications(bus: MessageBus, sql: Sql) -> None:
    add_dispatchers(bus, "dora")
    bus.handle(c.DeployProcesses(read_sources([MODEL]), "tests"))
    bus.handle(nc.SetSubscription("person", "dora", "email", "dora@example.org", events=("returned",)))
    ref = bus.handle(c.StartCase("notify_steps", {"reporter": "rita", "reason": "照片不清", "urgent": False}))
    (assigned,) = sql("SELECT kind, recipient_kind, recipient, data FROM notifications")
    assert tuple(assigned)[:3] == ("task_assigned", "group", "dispatcher")
    assert '"task_name": "Dispatch (派遣)"' in assigned[3] and '"link": "/tasks/' in assigned[3]
    bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"ok": True}, actor="dora", claim_if_free=True))
    assert ConnectorLoop(bus, ConnectorSettings()).run_once() == 1
    returned = sql("SELECT recipient, urgency, data FROM notifications WHERE kind = 'returned' ORDER BY recipient")
    assert [(r[0], r[1]) for r in returned] == [("dispatcher", "normal"), ("rita", "normal")]
    assert '"reason": "照片不清"' in returned[0][2]
    assert [r[0] for r in sql("SELECT address FROM notification_deliveries")] == ["dora@example.org"]
    with bus.deps.uow() as uow:
        log = reads.deliveries_of_case(uow.store, ref.case_id)
    assert [n["kind"] for n in log] == ["task_assigned", "returned", "returned", "task_assigned"]
    assert [d["status"] for d in log[1]["deliveries"]] == ["queued"]
    assert sql("SELECT COUNT(*) FROM inbox_items WHERE account = 'rita'")[0][0] == 1


def test_postgres_wakes_inbox_and_task_listeners_when_the_step_commits(bus: MessageBus, db: Engine) -> None:
    if db.dialect.name != "postgresql":
        assert bus.handle(nc.SendNotification("rework", ("person:alice",)))  # SQLite: nothing to listen to
        return
    add_dispatchers(bus, "dora")
    bus.handle(c.DeployProcesses(read_sources([MODEL]), "tests"))
    url = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    options = db.url.query.get("options")
    extra: dict[str, Any] = {"options": options} if isinstance(options, str) else {}
    with psycopg.connect(url.split("?")[0], autocommit=True, **extra) as listen:
        listen.execute("LISTEN gridcase_inbox")
        listen.execute("LISTEN gridcase_tasks")
        ref = bus.handle(c.StartCase("notify_steps", {"reporter": "rita", "reason": "-", "urgent": False}))
        heard = {(n.channel, n.payload) for n in listen.notifies(timeout=2, stop_after=2)}
        assert heard == {("gridcase_inbox", "dora"), ("gridcase_tasks", "dispatcher")}
        # a claim changes no data, yet the group's lists see the task taken
        bus.handle(c.ClaimTask(ref.ready_tasks[0], "dora"))
        claimed = {(n.channel, n.payload) for n in listen.notifies(timeout=2, stop_after=2)}
    assert claimed == {("gridcase_tasks", "dispatcher"), ("gridcase_tasks", "dora")}


def test_audit_events_without_a_workflow_step_are_told_through_the_same_table(bus: MessageBus, sql: Sql) -> None:
    add_dispatchers(bus, "dora", "dan")
    bus.handle(c.DeployProcesses(read_sources([MODEL]), "tests"))
    ref = bus.handle(c.StartCase("notify_steps", {"reporter": "rita", "reason": "-", "urgent": False}))
    task_id = ref.ready_tasks[0]
    records = [StepRecord("task_overdue", task_id, "dispatch", {"task": task_id, "escalate_to": "supervisor"}),
               StepRecord("task_reassigned", task_id, None, {"task": task_id, "from": "dora", "to": "dan",
                                                             "reason": "休假"})]
    with command_scope(), bus.deps.uow() as uow:  # as the step clock's and a reassignment's handlers do
        run_step_hooks(uow, bus.deps.step_hooks, ref.case_id, records, "scheduler", bus.deps.clock.now())
    rows = sql("SELECT kind, urgency, recipient_kind, recipient FROM notifications WHERE kind <> 'task_assigned'"
               " ORDER BY id")
    assert [tuple(r) for r in rows] == [("task_overdue", "urgent", "group", "dispatcher"),
                                        ("task_overdue", "urgent", "group", "supervisor"),
                                        ("task_reassigned", "normal", "person", "dan")]
    (reassigned,) = sql("SELECT title, body FROM inbox_items WHERE account = 'dan' AND title LIKE '【改派】%'")
    assert reassigned[0].endswith("Dispatch (派遣)") and "休假" in reassigned[1]


def test_a_url_to_a_host_off_the_list_is_refused(bus: MessageBus, sql: Sql) -> None:
    notifier_of(bus).policy = NotifyPolicy(hosts=frozenset({"hooks.example.org"}))
    bus.handle(nc.SetSubscription("group", "dispatcher", "webhook", "jsons://hooks.example.org/desk"))
    for address in ("json://127.0.0.1:8080/admin", "http://169.254.169.254/latest/meta-data"):
        with pytest.raises(InvalidCommand) as refused:
            bus.handle(nc.SetSubscription("person", "alice", "webhook", address))
        assert refused.value.field == "address" and "GRIDCASE_NOTIFY_HOSTS" in refused.value.message
    with pytest.raises(InvalidCommand):
        bus.handle(nc.SendNotification("test", address="json://127.0.0.1:8080/admin"))
    assert sql("SELECT COUNT(*) FROM notification_subscriptions")[0][0] == 1


def test_the_sender_refuses_a_host_off_its_list_whoever_subscribed_it(bus: MessageBus) -> None:
    bus.handle(nc.SetSubscription("person", "alice", "webhook", "json://127.0.0.1:9/admin"))  # no list here
    ids = bus.handle(nc.SendNotification("rework", ("person:alice",)))
    notifier_of(bus).policy = NotifyPolicy(hosts=frozenset({"hooks.example.org"}))  # the scheduler's settings
    assert bus.handle(nc.ClaimDueDeliveries()) == []
    with bus.deps.uow() as uow:
        (delivery,) = reads.deliveries_of(uow.store, ids)
    assert delivery["status"] == "failed" and "GRIDCASE_NOTIFY_HOSTS" in delivery["last_error"]
