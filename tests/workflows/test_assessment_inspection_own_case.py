"""Only the inspection's own case moves its row and opens its rectifications: another case whose data looks like the
inspection (the same payload started again) changes nothing in the row and opens no 考评整改 case. The step hooks get
no process id (``StepWritten``), so they check the row's own case instead (read with the row: no extra query)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from assessment_inspection_support import (
    finish,
    inspection_bus,
    inspection_payload,
    inspection_row,
    record,
    rectifications,
    start_inspection,
    upload_photo,
)
from lifecycle import Case
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus


@pytest.fixture(params=["hot", "cold"])
def bus(request: pytest.FixtureRequest, make_city_bus: Callable[..., MessageBus], clock: FakeClock) -> MessageBus:
    return inspection_bus(request, make_city_bus, clock)


def test_a_look_alike_case_neither_keeps_the_row_nor_opens_rectifications(bus: MessageBus, db: Engine,
                                                                          tmp_path: Path) -> None:
    case, inspection_id, registry = start_inspection(bus, db)
    before = inspection_row(db, inspection_id)
    assert before.case_id == case.case_id
    twin = Case(bus, db, bus.handle(c.StartCase("assessment_inspection", inspection_payload(inspection_id, registry),
                                                "system")).case_id)
    assert inspection_row(db, inspection_id) == before  # its start took not the row
    photo = upload_photo(bus, case.case_id, tmp_path)
    record(bus, inspection_id, "GS01", "fail", note="缺少厨余垃圾桶", photos=(photo,))
    record(bus, inspection_id, "GS02", "pass")
    record(bus, inspection_id, "GS03", "pass")
    finish(twin)  # the look-alike's visit: its data says failed items, but it is not the row's case
    assert rectifications(db, inspection_id) == [] and inspection_row(db, inspection_id) == before
    finish(case)
    assert [(r.visit, r.item_code) for r in rectifications(db, inspection_id)] == [(0, "GS01")]
    row = inspection_row(db, inspection_id)
    assert (row.case_id, row.state, row.visits, row.failed_items) == (case.case_id, "rectifying", 1, 1)
