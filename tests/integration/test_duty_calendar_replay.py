"""A duty calendar loaded after a case's deadline was computed leaves the case's replay alone: the step's
replay computes with the versions known at the step's time (a version counts one refresh after its load), and
cases dispatched after it follow the new windows. Its own module: its own city, with no calendar loaded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from api_support import Api

from city.bootstrap import bootstrap
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus
from web.app import create_app
from web.settings import Settings

CST = ZoneInfo("Asia/Shanghai")
SUMMER_MONDAY = datetime(2026, 6, 1, 11, 0, tzinfo=CST)
DEMO_FILE = Path(__file__).resolve().parents[2] / "config" / "duty_calendar.json"


def engine_bus(db: str, clock: FakeClock) -> MessageBus:
    """The engine with the city's working time (as the servers build it), on ``clock``."""
    return bootstrap(db, clock, working_time=Settings.from_env({}).working_time())


@pytest.fixture
def summer_api(city: str, tmp_path: Path) -> Iterator[Api]:
    """The app over the seeded city with its engine's clock three minutes before Monday 1 June 2026, 11:00 (a
    loaded version counts two refreshes, 120 s, after its load: ``api.engine_clock`` moves on to 11:00)."""
    api = Api(city, tmp_path)
    api.close()
    clock = FakeClock(SUMMER_MONDAY - timedelta(minutes=3))
    api.engine_clock = clock  # type: ignore[attr-defined]
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": city, "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "att"),
                                  "GRIDCASE_SECRET_KEY": "test"})
    api.app = create_app(settings, engine_bus(city, clock))
    api.client = api.app.test_client()
    yield api
    api.close()


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
