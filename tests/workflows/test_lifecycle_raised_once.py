"""Each deadline's warning (预警) and 督办 is raised once: not again when disposal re-enters after it was raised
(a rework, a refused request), but late rather than never when its time passed while the case was elsewhere.
The department's task shows the deadline, not the warning time; a late rework updates the lateness once."""

from __future__ import annotations

import pytest
from fixture_types import Sql
from lifecycle import DISPOSED, Case, close, cst, due, fire_due, report, start, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus

EXTENSION = {"disposal": {"outcome": "extension", "reason": "量大", "extension_amount": 1}}


def at_nine(bus: MessageBus, db: Engine, clock: FakeClock) -> Case:
    """0601 dispatched Monday 09:00: warning 10:36, due 11:00."""
    clock.set(cst(2, 9))
    return to_disposal(bus, db, report())


def test_the_department_task_is_due_at_the_deadline_not_the_warning(city_bus: MessageBus, db: Engine,
                                                                    clock: FakeClock) -> None:
    case = at_nine(city_bus, db, clock)
    assert as_utc(case.ready()["dispose_problem"].due_at) == cst(2, 11) == due(case, "disposal_overdue")


def test_a_warning_that_fell_during_a_review_is_given_late_not_never(city_bus: MessageBus, db: Engine,
                                                                     clock: FakeClock) -> None:
    case = at_nine(city_bus, db, clock)
    clock.set(cst(2, 10))
    case.complete("dispose_problem", EXTENSION)
    clock.set(cst(2, 10, 50))  # the shift lead decides after 10:36
    case.complete("review_extension", {"extension_review": {"approved": False}})  # its timers are already due
    fire_due(city_bus)
    assert set(case.ready()) == {"dispose_problem", "acknowledge_warning"}


def test_a_supervision_raised_before_a_rework_is_not_raised_again(city_bus: MessageBus, db: Engine,
                                                                  clock: FakeClock) -> None:
    case = at_nine(city_bus, db, clock)
    clock.set(cst(2, 11))
    fire_due(city_bus)
    assert "supervise_overdue" in case.ready()
    clock.set(cst(2, 11, 10))
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": False, "note": "未清理干净"}})
    fire_due(city_bus)  # the rework round's overdue timer is due at once
    assert set(case.ready()) == {"dispose_problem"}
    assert len(case.tasks("supervise_overdue")) == 1
    clock.set(cst(2, 11, 40))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case, "overdue")
    # late 11:00–11:40 (rounded), counted once
    assert (evaluation["overdue"], evaluation["overdue_working_hours"], evaluation["reworks"]) == (1, 0.67, 1)


def test_an_overdue_time_passed_during_a_review_is_supervised_on_return(city_bus: MessageBus, db: Engine,
                                                                        clock: FakeClock) -> None:
    case = at_nine(city_bus, db, clock)
    clock.set(cst(2, 10, 36))
    fire_due(city_bus)
    clock.set(cst(2, 10, 50))
    case.complete("dispose_problem", EXTENSION)
    clock.set(cst(2, 11, 20))  # the deadline passes while the request waits
    case.complete("review_extension", {"extension_review": {"approved": False}})
    fire_due(city_bus)
    assert set(case.ready()) == {"dispose_problem", "supervise_overdue"}  # no second warning


def test_a_report_needs_a_description(city_bus: MessageBus, db: Engine, sql: Sql) -> None:
    with pytest.raises(FormRejected) as refused:
        start(city_bus, db, report(description="  "))
    assert refused.value.field == "report.description"
    assert sql("SELECT COUNT(*) AS n FROM cases")[0].n == 0
