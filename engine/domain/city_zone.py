"""The city's time zone: the one place the default (Asia/Shanghai) is written, and the zone every date a person
reads is taken in — case numbers, reporting periods and KPI months, facts' days and months, pages, audit days.

A city package's profile names the zone (``city_profiles.time_zone``); the bootstrap and each package load call
``use_city_zone`` with it, and a database without a profile keeps the default. ``CITY`` is a ``tzinfo`` that
follows the current zone, for objects built before the profile is read (the working-time calendar, quiet hours).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE_NAME = "Asia/Shanghai"
_current: list[ZoneInfo] = [ZoneInfo(DEFAULT_ZONE_NAME)]  # one process serves one city


def city_zone() -> ZoneInfo:
    """The city's time zone now (the profile's, or Asia/Shanghai)."""
    return _current[0]


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError naming it and the fix when there is no such zone."""
    try:
        if not isinstance(name, str) or not name or name != name.strip():
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. 'Asia/Shanghai', 'America/Chicago')") from None


def use_city_zone(zone: ZoneInfo | str | None) -> ZoneInfo:
    """Make ``zone`` (a name, or None for the default) the city's zone; returns it."""
    if zone is None:
        zone = DEFAULT_ZONE_NAME
    _current[0] = zone if isinstance(zone, ZoneInfo) else zone_named(zone)
    return _current[0]


class CityZone(tzinfo):
    """A tzinfo that is always the city's current zone (``city_zone()``)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return _current[0].utcoffset(None if dt is None else dt.replace(tzinfo=_current[0]))

    def dst(self, dt: datetime | None) -> timedelta | None:
        return _current[0].dst(None if dt is None else dt.replace(tzinfo=_current[0]))

    def tzname(self, dt: datetime | None) -> str | None:
        return _current[0].tzname(None if dt is None else dt.replace(tzinfo=_current[0]))

    def fromutc(self, dt: datetime) -> datetime:
        zone = _current[0]
        return zone.fromutc(dt.replace(tzinfo=zone)).replace(tzinfo=self)

    def __repr__(self) -> str:
        return f"CityZone({_current[0].key})"

    def __reduce__(self) -> str:
        return "CITY"  # pickles as the module's one instance


CITY = CityZone()
