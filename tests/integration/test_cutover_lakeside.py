"""Cut-over in the second test city, Lakeside (America/Chicago): its own export, read through a mapping, imports
open cases with the city's own channels, at their steps, numbered and dated in Chicago's day and month."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.history.importer import import_file
from city.history.mapping import load_mapping
from city.package.commands import LoadCityPackage
from city.package.profile import install
from city.package.reader import read_package
from city.package.rules import deploy_files
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.working_time import HolidayCalendar, WorkingTime
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus

LAKESIDE = Path(__file__).resolve().parents[1] / "fixtures" / "cities" / "lakeside"
CHICAGO = ZoneInfo("America/Chicago")
NORTH_SHORE = ("-87.65972", "41.86727")  # unit grid LS00, beat B11, ward W1
MAPPING = {"columns": {"case_no": "SR Number", "reported_at": "Created", "dispatched_at": "Assigned",
                       "due_at": "Due", "channel": "Origin", "subtype": "SR Type", "department": "Owner Dept",
                       "result": "Status", "lon": "Longitude", "lat": "Latitude"},
           "values": {"channel": {"Phone": "311", "Mobile": "app", "Walk-in": "hotline"},
                      "subtype": {"Street Light Out": "0101", "Garbage": "0602"},
                      "result": {"Open - Intake": "reported", "Open - Assigned": "disposal", "Completed": "closed"}},
           "datetime_format": "%m/%d/%Y %I:%M:%S %p", "time_zone": "America/Chicago"}
HEADER = "SR Number,Created,Assigned,Due,Origin,SR Type,Owner Dept,Status,Longitude,Latitude"


@pytest.fixture
def lakeside(db: Engine) -> MessageBus:
    calendar = WorkingTime(HolidayCalendar.from_file(LAKESIDE / "calendar" / "us.json"))
    bus = bootstrap(db, FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=CHICAGO)), working_time=calendar)
    install(bus)
    package = read_package(LAKESIDE)
    bus.handle(LoadCityPackage(package, actor="admin1", source=str(LAKESIDE), deploy=deploy_files(package.rules)))
    return bus



def _one(db: Engine, statement: str, **params: Any) -> Any:
    with db.connect() as conn:
        return conn.execute(sa.text(statement), params).one()


def test_lakeside_open_cases_import_in_chicago_days(lakeside: MessageBus, db: Engine, tmp_path: Path) -> None:
    lon, lat = NORTH_SHORE
    export = tmp_path / "sr.csv"
    export.write_text("\n".join([
        HEADER,
        f"SR-1,10/31/2026 11:30:00 PM,,,Phone,Garbage,,Open - Intake,{lon},{lat}",
        f"SR-2,10/30/2026 08:00:00 AM,10/30/2026 10:00:00 AM,11/03/2026 05:00:00 PM,Mobile,Garbage,C02,"
        f"Open - Assigned,{lon},{lat}",
        f"SR-3,10/30/2026 08:00:00 AM,,,Walk-in,Garbage,,Open - Intake,{lon},{lat}",
        f"SR-4,10/31/2026 11:45:00 PM,,,Phone,Garbage,C02,Completed,{lon},{lat}",
    ]) + "\n", "utf-8")
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps(MAPPING), "utf-8")
    summary = import_file(lakeside, export, mapping=load_mapping(mapping_file))
    assert (summary.open, summary.imported) == ({"reported": 1, "disposal": 1}, 1)
    assert summary.errors == [(4, "Origin (channel): unknown channel 'hotline' (the city's: 311, alderman, app,"
                                  " inspector)")]
    late = _one(db, "SELECT c.id, s.case_no FROM cases c JOIN case_summaries s ON s.case_id = c.id"
                    " WHERE c.external_id = 'SR-1'")
    assert late.case_no.startswith("20261031")  # 23:30 on 31 October in Chicago (05:30 on 1 November in UTC)
    facts = _one(db, "SELECT day, month, channel FROM case_facts WHERE case_id = :id", id=late.id)
    assert (str(facts.day)[:10], facts.month, facts.channel) == ("2026-10-31", "2026-10", "311")
    closed = _one(db, "SELECT day, month, source FROM case_facts WHERE case_no = 'SR-4'")  # closed history, too
    assert (str(closed.day)[:10], closed.month, closed.source) == ("2026-10-31", "2026-10", "history")
    assigned = _one(db, "SELECT id FROM cases WHERE external_id = 'SR-2'").id
    task = _one(db, "SELECT id, candidate_group FROM human_tasks WHERE case_id = :id AND state = 'ready'",
                id=assigned)
    assert task.candidate_group == "C02"
    due = _one(db, "SELECT due_at FROM timers WHERE case_id = :id AND bpmn_id = 'disposal_overdue'", id=assigned)
    assert as_utc(due.due_at) == datetime(2026, 11, 3, 17, 0, tzinfo=CHICAGO)  # the legacy deadline
    lakeside.handle(c.CompleteHumanTask(task.id, {"disposal": {"outcome": "disposed", "result": "picked up"}},
                                        "c02-crew"))
    nxt = _one(db, "SELECT bpmn_id FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=assigned)
    assert nxt.bpmn_id == "check_on_site"
