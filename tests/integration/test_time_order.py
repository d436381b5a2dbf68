"""Time never goes backwards in a case: a command dated before the case's last step is refused, naming both
times, and writes nothing (a simulator's or a skewed host's clock must not rewrite a case's history)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from invariants import snapshot
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.service.bus import MessageBus

REGISTER = {"severity": 4, "description": "cover gone"}


def _report(bus: MessageBus) -> tuple[int, str]:
    ref = bus.handle(c.StartCase("report_handling", {"report_no": "R-7", "department": "dept_roads"}, "seat"))
    return ref.case_id, ref.ready_tasks[0]


@pytest.mark.parametrize("command", [
    lambda task: c.CompleteHumanTask(task, REGISTER, "seat"),
    lambda task: c.CompleteHumanTask(task, REGISTER, "seat", claim_if_free=True),
    lambda task: c.ClaimTask(task, "seat"),
], ids=["complete", "claim and complete", "claim"])
def test_a_command_dated_before_the_cases_last_step_is_refused_and_writes_nothing(
        bus: MessageBus, clock: FakeClock, db: Engine, make_bus: Callable[..., MessageBus],
        command: Callable[[str], c.Command]) -> None:
    """The simulator's situation: another bus with its own clock, days behind the case."""
    clock.advance(days=4)
    _, task = _report(bus)
    last = clock.now()
    behind = make_bus(FakeClock(last - timedelta(days=3)))
    before = snapshot(db)
    with pytest.raises(InvalidCommand) as refused:
        behind.handle(command(task))
    assert refused.value.field == "occurred_at"
    assert "would go back in time" in refused.value.message
    assert f"{last:%Y-%m-%d}" in refused.value.message and f"{last - timedelta(days=3):%Y-%m-%d}" \
        in refused.value.message
    assert snapshot(db) == before
    make_bus(FakeClock(last)).handle(command(task))  # the same moment is not earlier: allowed
