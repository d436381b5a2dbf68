"""The city's time zone: the profile's zone (Asia/Shanghai without one) dates case numbers, periods and facts, and
the ``CITY`` tzinfo follows it for objects built before the profile was read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from engine.domain.city_zone import CITY, DEFAULT_ZONE_NAME, city_zone, use_city_zone, zone_named
from engine.domain.notifications import QuietHours
from engine.domain.periods import parse_period
from engine.domain.summary import case_no

MOMENT = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)  # 31 October 23:30 in Chicago, 1 November 12:30 in Shanghai


@pytest.fixture(autouse=True)
def _default_after() -> Iterator[None]:
    yield
    use_city_zone(None)


def test_without_a_profile_the_city_is_in_shanghai() -> None:
    assert city_zone().key == DEFAULT_ZONE_NAME == "Asia/Shanghai"
    assert case_no(7, MOMENT) == "20261101000007"
    assert parse_period("2026-11").start == datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_profile_zone_dates_case_numbers_and_periods() -> None:
    use_city_zone("America/Chicago")
    assert case_no(7, MOMENT) == "20261031000007"
    october = parse_period("2026-10")
    assert october.start < MOMENT < october.end and october.months == ("2026-10", "2026-10")
    assert october.end == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # midnight CDT, the night before DST ends


def test_the_city_tzinfo_follows_the_zone_across_daylight_saving() -> None:
    use_city_zone("America/Chicago")
    assert MOMENT.astimezone(CITY).strftime("%Y-%m-%d %H:%M %Z") == "2026-10-31 23:30 CDT"
    winter = datetime(2026, 11, 2, 4, 30, tzinfo=UTC)
    assert winter.astimezone(CITY).strftime("%H:%M %Z") == "22:30 CST"
    quiet = QuietHours.parse("22:00-07:00")  # built with the city's zone, whatever it becomes
    assert quiet is not None and quiet.contains(MOMENT)
    use_city_zone(None)
    assert not quiet.contains(MOMENT)  # 12:30 in Shanghai


@pytest.mark.parametrize("name", ["Mars/Olympus", "", " Asia/Shanghai", "../etc/passwd"])
def test_a_zone_that_is_not_an_iana_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="is not an IANA time zone"):
        zone_named(name)
