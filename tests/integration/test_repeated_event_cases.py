"""Non-interrupting events fire on every occurrence on SQLite and PostgreSQL
(tests/fixtures/events/repeated_events.bpmn): a message-started event subprocess and a message boundary event
catch every message, an escalation boundary event and an escalation event subprocess every escalation, and each
case replays."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from engine.domain import commands as c
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
Sql = Callable[..., list[sa.Row]]


def tasks(sql: Sql, case_id: int) -> Counter[tuple[str, str]]:
    return Counter((r.bpmn_id, r.state) for r in sql("SELECT bpmn_id, state FROM human_tasks WHERE case_id = :id",
                                                      id=case_id))


def test_every_message_and_escalation_is_caught(bus: MessageBus, sql: Sql) -> None:
    bus.handle(c.DeployProcesses(read_sources([EVENTS / "repeated_events.bpmn"]), "tests"))
    drains = bus.handle(c.StartCase("drain_works", {"works_no": "PG1"}, "alice")).case_id
    bins = bus.handle(c.StartCase("bin_round", {"round_no": "PG2"}, "alice")).case_id
    lamps = bus.handle(c.StartCase("lamp_survey", {}, "alice")).case_id
    for _ in range(2):
        bus.handle(c.SendMessage("resident_complaint", {}, "resident", {"works_no": "PG1"}))
        bus.handle(c.SendMessage("owner_excuse", {}, "owner", {"round_no": "PG2"}))
    assert tasks(sql, drains) == {("clear_drain", "ready"): 1, ("answer_resident", "ready"): 2}
    assert tasks(sql, bins) == {("empty_bin", "ready"): 1, ("file_excuse", "ready"): 2}
    assert tasks(sql, lamps) == {("sign_survey", "ready"): 1, ("repair_lamp", "ready"): 2}
    for case_id in (drains, bins, lamps):
        result = verify_case(bus.deps, case_id)
        assert result.verified, result.divergence and result.divergence.describe()
