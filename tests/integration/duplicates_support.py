"""The duplicates tests' app: the seeded city's API on a fake clock (moved, never slept), and reports placed a given
number of metres north or east of a test's own spot, so tests sharing the module's city do not see each other's."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api_support import POINT, Api

from city.bootstrap import bootstrap
from engine.domain.clock import FakeClock
from web.app import create_app
from web.settings import Settings

METRES_PER_DEGREE = 111_320.0


def clocked_api(city: str, tmp_path: Path, **env: str) -> Iterator[Api]:
    """The app over the seeded city with its engine on a fake clock (``api.clock``) starting now."""
    api = Api(city, tmp_path)
    api.close()
    clock = FakeClock(datetime.now(UTC))
    api.clock = clock  # type: ignore[attr-defined]
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": city, "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "att"),
                                  "GRIDCASE_SECRET_KEY": "test", **env})
    api.app = create_app(settings, bootstrap(city, clock, working_time=settings.working_time()))
    api.client = api.app.test_client()
    yield api
    api.close()


def spot(index: int) -> dict[str, float]:
    """A test's own spot: ``index`` × 500 m east of the API tests' point, in the same district."""
    return {"lat": POINT["lat"], "lon": POINT["lon"] + index * 500 / (METRES_PER_DEGREE * math.cos(math.radians(
        POINT["lat"])))}


def near(place: dict[str, float], north_m: float = 0.0, east_m: float = 0.0) -> dict[str, float]:
    """A point ``north_m`` north and ``east_m`` east of ``place``."""
    lat = place["lat"] + north_m / METRES_PER_DEGREE
    return {"lat": lat, "lon": place["lon"] + east_m / (METRES_PER_DEGREE * math.cos(math.radians(place["lat"])))}


def patrol_report(api: Api, place: dict[str, float], subtype: str = "0601", **fields: Any) -> str:
    """A patrol report (no on-site verification: it waits at 立案 at once); its case number."""
    return api.new_case(subtype_code=subtype, channel="patrol", **place, **fields)
