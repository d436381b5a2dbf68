"""A duty calendar loaded after a case's deadline was computed leaves the case's replay alone: the step's
replay computes with the versions known at the step's time (a version counts two refreshes after its load), and
cases dispatched after it follow the new windows. Its own module: its own city, with no calendar loaded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from api_support import Api
from calendar_support import CST, DEMO_FILE, summer_app


@pytest.fixture
def summer_api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from summer_app(city, tmp_path)


def test_a_calendar_loaded_after_a_deadline_leaves_its_replay_alone(summer_api: Api) -> None:
    # dispatched under the default windows (15:30); the summer calendar loaded later would give 16:00, but the
    # step's replay computes with the versions known at the step's time, so the case still verifies
    summer_api.engine_clock.advance(minutes=3)  # type: ignore[attr-defined]
    case_no = summer_api.new_case()
    dispose = summer_api.to_disposal(case_no)
    assert datetime.fromisoformat(dispose["due_at"]) == datetime(2026, 6, 1, 15, 30, tzinfo=CST)
    loaded = summer_api.post("/city/calendar", "admin", json.loads(DEMO_FILE.read_text("utf-8")))
    assert loaded.status_code in (200, 201), loaded.json
    summer_api.engine_clock.advance(minutes=3)  # type: ignore[attr-defined]
    verified = summer_api.post(f"/cases/{case_no}/replay/verify", "auditor01")
    assert verified.status_code == 200 and verified.json["verified"] is True, verified.json
    later = summer_api.to_disposal(summer_api.new_case())  # a case dispatched now follows the summer windows
    assert datetime.fromisoformat(later["due_at"]) == datetime(2026, 6, 1, 16, 3, tzinfo=CST)  # 11:03 + 2 h
