"""The duty calendar tests' app: the seeded city's API with its engine's clock on a summer Monday."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from api_support import Api

from city.bootstrap import bootstrap
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus
from web.app import create_app
from web.settings import Settings

CST = ZoneInfo("Asia/Shanghai")
SUMMER_MONDAY = datetime(2026, 6, 1, 11, 0, tzinfo=CST)
DEMO_FILE = Path(__file__).resolve().parents[2] / "config" / "duty_calendar.json"


def engine_bus(db: object, clock: FakeClock) -> MessageBus:
    """The engine with the city's working time (as the servers build it), on ``clock``."""
    return bootstrap(db, clock, working_time=Settings.from_env({}).working_time())  # type: ignore[arg-type]


def summer_app(city: str, tmp_path: Path) -> Iterator[Api]:
    """The app over the seeded city with its engine's clock three minutes before Monday 1 June 2026, 11:00 (a
    loaded version counts two refreshes, 120 s, after its load: ``api.engine_clock`` moves on to 11:00)."""
    api = Api(city, tmp_path)
    # the demo package's duty windows were loaded at seed time, months after this clock: start from a city without
    # them, so a version loaded here counts from this clock's time (as in a city that loads its first calendar)
    with api.deps.db.begin() as conn:
        conn.execute(sa.text("DELETE FROM duty_calendar_versions"))
    api.close()
    clock = FakeClock(SUMMER_MONDAY - timedelta(minutes=3))
    api.engine_clock = clock  # type: ignore[attr-defined]
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": city, "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "att"),
                                  "GRIDCASE_SECRET_KEY": "test"})
    api.app = create_app(settings, engine_bus(city, clock))
    api.client = api.app.test_client()
    yield api
    api.close()
