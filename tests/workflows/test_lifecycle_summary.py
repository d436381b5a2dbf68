"""Every step keeps the case's summary row (the read model of task lists and case pages) current."""

from __future__ import annotations

import json

from fixture_types import Sql
from lifecycle import DISPOSED, close, cst, report, start, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus


def test_the_summary_follows_the_case_from_report_to_close(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                            sql: Sql) -> None:
    clock.set(cst(2, 9))
    first = start(city_bus, db, report())
    (row,) = sql("SELECT * FROM case_summaries WHERE case_id = :id", id=first.case_id)
    assert row.case_no == f"20261102{first.case_id:06d}"
    assert (row.channel, row.subtype, row.district, row.department, row.due_at) == (
        "hotline", "0601", "350602", None, None)
    assert row.unit_grid and row.resp_grid and row.lon == 117.65
    case = to_disposal(city_bus, db, report(channel="patrol"))
    (row,) = sql("SELECT * FROM case_summaries WHERE case_id = :id", id=case.case_id)
    assert (row.department, as_utc(row.due_at), as_utc(row.warn_at)) == ("350602-D02", cst(2, 11), cst(2, 10, 36))
    assert json.loads(row.counters)["reworks"] == 0 and row.evaluation is None
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    (row,) = sql("SELECT * FROM case_summaries WHERE case_id = :id", id=case.case_id)
    assert json.loads(row.evaluation) == evaluation
