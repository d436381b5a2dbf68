"""The assessment rounds' integration tests' shared parts (考评轮次): the seeded demo city's registry narrowed to the
test registry (tests/assessment_support.py in the demo city's places; the demo's own objects retired), rows read
back, the command line run as a child process, the current periods in Zhangzhou."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from api_support import ROOT, Api
from api_support import rows as rows  # its tests import it from here
from assessment_support import DEMO, seed_assessment_registry, set_active

from engine.domain.city_zone import city_zone

LEAD = "shiftlead01"
COLLECTOR = "collector001"
GARBAGE_CODES = ["GS-COM-1", "GS-CP-1", "GS-TS-1"]
COMPOUND_CODES = ["PR-CMP-1", "PR-CMP-2"]


def narrow_registry(api: Api, scheme: str) -> None:
    """Only the test registry's objects of ``scheme`` active (seeded once per database, with its checklists as
    the newest versions)."""
    if not rows(api, "SELECT id FROM assessed_objects WHERE code = 'GS-COM-1'"):
        seed_assessment_registry(api.deps.db, DEMO)
    set_active(api.deps.db, scheme, False)
    with api.deps.db.begin() as conn:
        conn.execute(sa.text("UPDATE assessed_objects SET active = :yes WHERE code IN ('GS-COM-1', 'GS-CP-1',"
                             " 'GS-TS-1', 'PR-CMP-1', 'PR-CMP-2')"), {"yes": True})


def current_period(scheme: str) -> str:
    """The scheme's period now in Zhangzhou (the app's clock is the real one)."""
    local = datetime.now(UTC).astimezone(city_zone())
    return f"{local:%Y-%m}" if scheme == "garbage_sorting" else f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def scheme_rounds(api: Api, scheme: str) -> list[sa.Row]:
    """The scheme's round rows."""
    return rows(api, "SELECT * FROM assessment_rounds WHERE scheme = :s ORDER BY id", s=scheme)


def round_inspections(api: Api, round_id: int) -> list[sa.Row]:
    """A round's inspections with their object's code and their case's process, by object code."""
    return rows(api, "SELECT i.id, i.case_id, i.state, i.task_group, o.code, c.process_id FROM assessment_inspections i"
                     " JOIN assessed_objects o ON o.id = i.object_id LEFT JOIN cases c ON c.id = i.case_id"
                     " WHERE i.round_id = :r ORDER BY o.code", r=round_id)


def start_data(api: Api, case_id: int) -> dict[str, Any]:
    """What a case was started with (its case_started event's data)."""
    (row,) = rows(api, "SELECT data FROM case_events WHERE case_id = :c AND event_type = 'case_started'", c=case_id)
    found: dict[str, Any] = json.loads(row.data)["data"]
    return found


def gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``gridcase assessment ARGS`` over the database at ``url``."""
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "assessment", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
