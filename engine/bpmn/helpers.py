"""The one registry of helper functions that diagram scripts, conditions, timers and DMN cells may call.

Helpers are plain functions over plain data: they take and return strings, numbers, datetimes and
timedeltas, never modules or classes that could reach the host.  Time always comes from the injected
clock, so tests move time instead of sleeping.  Datetime strings are ISO 8601 and UTC.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from engine.bpmn.environment import kept
from engine.domain.clock import Clock
from engine.domain.errors import FormRejected
from engine.domain.working_time import WorkingTime

F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: dict[str, Callable[..., Any]] = {}

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def register_helper(name: str | None = None) -> Callable[[F], F]:
    """Decorator: make a clock-independent function available to scripts under ``name``."""

    def decorate(func: F) -> F:
        _REGISTRY[name or func.__name__] = func
        return func

    return decorate


@register_helper()
def parse_datetime(value: str | datetime) -> datetime:
    """Parse an ISO 8601 datetime into an aware UTC datetime (a naive value is taken as UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number(value: float) -> str:
    """Render a duration component without a useless ``.0``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@register_helper()
def iso_duration(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> str:
    """Build an ISO 8601 duration such as ``PT4H`` or ``P2DT3H`` from its parts."""
    if min(days, hours, minutes, seconds) < 0:
        raise ValueError("iso_duration() parts must not be negative")
    units = ((hours, "H"), (minutes, "M"), (seconds, "S"))
    time_part = "".join(f"{_number(amount)}{unit}" for amount, unit in units if amount)
    date_part = f"{_number(days)}D" if days else ""
    if not date_part and not time_part:
        return "PT0S"
    return "P" + date_part + (f"T{time_part}" if time_part else "")


def _duration_parts(value: str) -> dict[str, float]:
    """Split an ISO 8601 duration into its named parts; raise ValueError when it is malformed."""
    match = _DURATION.match(str(value).strip().upper())
    if match is None:
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    return {name: float(amount) for name, amount in match.groupdict().items() if amount is not None}


def _add_months(moment: datetime, months: int) -> datetime:
    """Move ``moment`` by whole calendar months, clamping the day (31 Jan + 1 month = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@register_helper()
def parse_duration(value: str) -> timedelta:
    """Parse an ISO 8601 duration without years or months (e.g. ``P1DT2H``) into a timedelta."""
    parts = _duration_parts(value)
    if "years" in parts or "months" in parts:
        raise ValueError(f"{value!r} has years or months, whose length varies: use add_duration()")
    return timedelta(**parts)


@register_helper()
def add_duration(iso_datetime: str, duration: str) -> str:
    """Add an ISO 8601 duration (years and months are calendar months) to a datetime; ISO UTC result."""
    parts = _duration_parts(duration)
    months = int(parts.pop("years", 0)) * 12 + int(parts.pop("months", 0))
    moment = _add_months(parse_datetime(iso_datetime), months)
    return (moment + timedelta(**parts)).isoformat()


@register_helper()
def reject(field: str, message: str) -> None:
    """Refuse the submitted data: the command fails (HTTP 422) naming ``field``, and nothing is written."""
    raise FormRejected(str(message), field=str(field))


@register_helper()
def hours_between(start: str, end: str) -> float:
    """Hours from ``start`` to ``end`` (both ISO datetimes); negative when ``end`` is earlier."""
    return (parse_datetime(end) - parse_datetime(start)).total_seconds() / 3600


def _clock_helpers(clock: Clock) -> dict[str, Callable[..., Any]]:
    """Helpers that read the injected clock."""

    def now() -> datetime:
        """The clock's current time, an aware UTC datetime."""
        return clock.now().astimezone(UTC)

    def now_iso() -> str:
        """The clock's current time as an ISO 8601 UTC string."""
        return now().isoformat()

    def is_past(iso_datetime: str) -> bool:
        """True once the clock has reached ``iso_datetime``."""
        return parse_datetime(iso_datetime) <= now()

    return {"now": now, "now_iso": now_iso, "is_past": is_past}


def default_helpers(clock: Clock) -> dict[str, Callable[..., Any]]:
    """Every helper available to scripts, bound to ``clock``; a fresh dict the caller may extend."""
    helpers: dict[str, Callable[..., Any]] = dict(_REGISTRY)
    helpers.update(_clock_helpers(clock))
    helpers["timedelta"] = timedelta
    return helpers


def _intervals(suspended: Any) -> list[tuple[datetime, datetime]]:
    """Suspended (挂账) intervals from case data: a list of ``[begin, end]`` ISO datetime pairs."""
    if suspended is None:
        return []
    try:
        return [(parse_datetime(begin), parse_datetime(end)) for begin, end in suspended]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"suspended must be a list of [begin, end] ISO datetimes: {exc}") from None


def working_time_helpers(working_time: WorkingTime) -> dict[str, Callable[..., Any]]:
    """``deadline`` and ``elapsed`` in working time, for scripts and timer expressions.

    ``deadline(start, amount, unit, suspended=None, subtype=None)`` returns an ISO datetime (UTC) that a
    ``timeDate`` timer can use; units: working_hours, working_days, natural_hours, natural_days; ``suspended`` is
    a list of ``[begin, end]`` pairs (挂账) that do not count; ``subtype``: the case's subtype, whose working units
    count every hour when the duty calendar names it a 24-hour subtype (docs/duty-windows.md).
    """

    def deadline(start: str, amount: float, unit: str, suspended: Any = None, subtype: str | None = None) -> str:
        """When ``amount`` of ``unit`` has passed after ``start`` (ISO datetimes), suspensions excluded."""
        return working_time.deadline(parse_datetime(start), amount, unit, _intervals(suspended),
                                     subtype=subtype).isoformat()

    def elapsed(start: str, end: str, unit: str, suspended: Any = None, subtype: str | None = None) -> float:
        """How much of ``unit`` passed between two ISO datetimes, suspensions excluded."""
        return working_time.elapsed(parse_datetime(start), parse_datetime(end), unit, _intervals(suspended),
                                    subtype=subtype)

    return {"deadline": kept("deadline", deadline), "elapsed": kept("elapsed", elapsed)}


def grid_helpers(locate_point: Callable[..., dict[str, Any] | None]) -> dict[str, Callable[..., Any]]:
    """``locate(lon, lat, subtype=None)``: the unit grid, responsibility grid, district, street and street office of
    a point, or None outside coverage; with ``subtype`` also the nearest registered component of that class
    (``component``: id, owner, distance_m, or None). One helper, so replay records the answer with the place."""

    def locate(lon: float, lat: float, subtype: str | None = None) -> dict[str, Any] | None:
        """Where a point is: ``{"unit_grid", "resp_grid", "district", "street", "street_office"}`` (and
        ``component`` when a subtype is given), or None outside the city's grids."""
        if isinstance(lon, bool) or isinstance(lat, bool) or not all(isinstance(v, int | float) for v in (lon, lat)):
            raise ValueError("locate() needs numeric lon and lat")
        if subtype is not None and not isinstance(subtype, str):
            raise ValueError("locate()'s subtype must be a subtype code (text)")
        if subtype is None:
            return locate_point(float(lon), float(lat))
        return locate_point(float(lon), float(lat), subtype)

    return {"locate": kept("locate", locate)}
