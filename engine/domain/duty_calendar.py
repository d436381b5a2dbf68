"""Duty calendars (值班时间表): a city's duty windows by season and weekday, in versions effective from a date.

A version holds seasons (each a span of month-days, e.g. summer 05-01..09-30, that may wrap the new year) with
their duty windows, optional per-weekday windows inside a season, and the **24-hour subtypes**: hazard subtypes
whose limits run round the clock (their working-time units count every hour). The version in effect on a day is
the one with the latest ``effective_from`` on or before it (of two with the same date, the one loaded last).
Which days are working days is not the duty calendar's business: the holiday table decides that.

The file format (``config/duty_calendar.json``, docs/duty-windows.md) is checked by ``parse_versions``; every
error is an ``InvalidCommand`` naming the field, e.g. ``versions[0].seasons[1].windows[0]``.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

from engine.domain.errors import InvalidCommand

Window = tuple[time, time]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LEAP_YEAR = 2024  # every month-day, 29 February included, must belong to exactly one season
MAX_VERSIONS = 100
MAX_SUBTYPES = 500


@dataclass(frozen=True)
class Season:
    """Duty windows from ``first`` to ``last`` (month, day), both included; wraps the new year when first > last."""

    name: str
    first: tuple[int, int]
    last: tuple[int, int]
    windows: tuple[Window, ...]
    weekdays: Mapping[int, tuple[Window, ...]] = field(default_factory=dict)  # Monday = 0; overrides ``windows``

    def covers(self, day: date) -> bool:
        """True when ``day``'s month-day lies in the season."""
        md = (day.month, day.day)
        if self.first <= self.last:
            return self.first <= md <= self.last
        return md >= self.first or md <= self.last

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The season's windows on ``day``'s weekday."""
        return self.weekdays.get(day.weekday(), self.windows)


@dataclass(frozen=True)
class DutyVersion:
    """One version of a city's duty calendar."""

    effective_from: date
    seasons: tuple[Season, ...]
    round_the_clock: frozenset[str] = frozenset()  # 24-hour subtypes
    comment: str = ""
    # when deadlines begin to use it (its load time plus the caches' refresh; None: at once): a step computed
    # before then used the versions known before it, and its replay must too
    known_from: datetime | None = field(default=None, compare=False)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The duty windows (local time) on ``day`` if it is a working day."""
        for season in self.seasons:
            if season.covers(day):
                return season.windows_on(day)
        raise ValueError(f"no season covers {day}")  # parse_versions makes the seasons cover every day

    def to_dict(self) -> dict[str, Any]:
        """The version in the file format (what ``parse_version`` reads back to an equal version)."""
        def spans(windows: Sequence[Window]) -> list[list[str]]:
            return [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in windows]

        seasons = []
        for s in self.seasons:
            entry: dict[str, Any] = {"name": s.name, "from": _md(s.first), "to": _md(s.last),
                                     "windows": spans(s.windows)}
            if s.weekdays:
                entry["weekdays"] = {WEEKDAYS[d]: spans(w) for d, w in sorted(s.weekdays.items())}
            seasons.append(entry)
        return {"effective_from": self.effective_from.isoformat(), "comment": self.comment, "seasons": seasons,
                "round_the_clock_subtypes": sorted(self.round_the_clock)}


@dataclass(frozen=True)
class DutyCalendar:
    """A city's duty calendar: every stored version, in effect order."""

    versions: tuple[DutyVersion, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError("a duty calendar needs at least one version")
        object.__setattr__(self, "_starts", [v.effective_from for v in self.versions])

    def version_on(self, day: date) -> DutyVersion | None:
        """The version in effect on ``day``; None before the first one (the default windows apply then). Within
        ``computing_at(moment)`` only the versions known at that moment count."""
        index = bisect_right(self._starts, day)  # type: ignore[attr-defined]
        moment = _COMPUTING_AT.get()
        for version in reversed(self.versions[:index]):
            if moment is None or version.known_from is None or version.known_from <= moment:
                return version
        return None


_COMPUTING_AT: ContextVar[datetime | None] = ContextVar("duty_computing_at", default=None)


@contextmanager
def computing_at(moment: datetime) -> Iterator[None]:
    """Within it, duty calendars answer as they were known at ``moment`` (a step's time): a version loaded
    later does not change a deadline the step computed, so replaying the step computes the same one."""
    token = _COMPUTING_AT.set(moment)
    try:
        yield
    finally:
        _COMPUTING_AT.reset(token)


def _md(month_day: tuple[int, int]) -> str:
    return f"{month_day[0]:02d}-{month_day[1]:02d}"


class DutySource(Protocol):
    """Where working time finds the duty calendar in force (the service layer's per-process cache)."""

    def current(self) -> DutyCalendar | None:
        """The calendar, or None while the city has none loaded."""


def calendar_of(versions: Sequence[DutyVersion]) -> DutyCalendar | None:
    """The calendar of stored versions in load order (the later of two with one date wins); None without any."""
    ordered = sorted(enumerate(versions), key=lambda pair: (pair[1].effective_from, pair[0]))
    return DutyCalendar(tuple(v for _, v in ordered)) if versions else None


def parse_versions(content: str) -> list[DutyVersion]:
    """The versions of a duty calendar file (``{"versions": [...]}``), checked; ``InvalidCommand`` names the field."""
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise InvalidCommand(f"duty calendar: not JSON ({exc})", field="file") from None
    if not isinstance(data, dict):
        raise InvalidCommand("duty calendar: the file must be a JSON object", field="file")
    unknown = set(data) - {"versions", "city", "description"}
    if unknown:
        raise InvalidCommand(f"duty calendar: unknown key {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    versions = data.get("versions")
    if not isinstance(versions, list) or not versions or len(versions) > MAX_VERSIONS:
        raise InvalidCommand(f"versions must be a list of 1–{MAX_VERSIONS} versions", field="versions")
    parsed = [parse_version(v, f"versions[{i}]") for i, v in enumerate(versions)]
    starts = [v.effective_from for v in parsed]
    if len(set(starts)) != len(starts):
        raise InvalidCommand("two versions in one file are effective from the same date", field="versions")
    return parsed


def parse_version(raw: Any, where: str = "version") -> DutyVersion:
    """One version object, checked (``where`` prefixes the field names in errors)."""
    _object(raw, where, required={"effective_from", "seasons"},
            allowed={"effective_from", "seasons", "round_the_clock_subtypes", "comment"})
    effective = _date(raw["effective_from"], f"{where}.effective_from")
    seasons = raw["seasons"]
    if not isinstance(seasons, list) or not seasons or len(seasons) > 12:
        raise InvalidCommand("seasons must be a list of 1–12 seasons", field=f"{where}.seasons")
    parsed = tuple(_season(s, f"{where}.seasons[{i}]") for i, s in enumerate(seasons))
    _check_coverage(parsed, f"{where}.seasons")
    subtypes = raw.get("round_the_clock_subtypes", [])
    if not isinstance(subtypes, list) or len(subtypes) > MAX_SUBTYPES or not all(
            isinstance(s, str) and 0 < len(s.strip()) <= 40 for s in subtypes):
        raise InvalidCommand("round_the_clock_subtypes must be a list of subtype codes",
                             field=f"{where}.round_the_clock_subtypes")
    comment = raw.get("comment", "")
    if not isinstance(comment, str) or len(comment) > 500:
        raise InvalidCommand("comment must be text of at most 500 characters", field=f"{where}.comment")
    return DutyVersion(effective, parsed, frozenset(s.strip() for s in subtypes), comment)


def _object(raw: Any, where: str, *, required: set[str], allowed: set[str]) -> None:
    if not isinstance(raw, dict):
        raise InvalidCommand(f"{where} must be an object", field=where)
    for key in sorted(required - set(raw)):
        raise InvalidCommand(f"{where}.{key} is required", field=f"{where}.{key}")
    for key in sorted(set(raw) - allowed):
        raise InvalidCommand(f"{where}.{key} is not a known field", field=f"{where}.{key}")


def _date(raw: Any, where: str) -> date:
    if isinstance(raw, str) and len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise InvalidCommand(f"{where} must be a date YYYY-MM-DD", field=where)


def _clock_time(raw: Any) -> time | None:
    """An ``HH:MM`` time, or None when ``raw`` is not one."""
    if isinstance(raw, str) and len(raw) == 5 and raw[2] == ":":
        try:
            return time.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _season(raw: Any, where: str) -> Season:
    _object(raw, where, required={"from", "to", "windows"}, allowed={"name", "from", "to", "windows", "weekdays"})
    name = raw.get("name", "")
    if not isinstance(name, str) or len(name) > 40:
        raise InvalidCommand("name must be text of at most 40 characters", field=f"{where}.name")
    weekdays = raw.get("weekdays", {})
    if not isinstance(weekdays, dict):
        raise InvalidCommand(f"weekdays must map {', '.join(WEEKDAYS)} to windows", field=f"{where}.weekdays")
    overrides = {}
    for key, windows in weekdays.items():
        if key not in WEEKDAYS:
            raise InvalidCommand(f"weekday must be one of {', '.join(WEEKDAYS)}", field=f"{where}.weekdays.{key}")
        overrides[WEEKDAYS.index(key)] = _windows(windows, f"{where}.weekdays.{key}", allow_empty=True)
    return Season(name, _month_day(raw["from"], f"{where}.from"), _month_day(raw["to"], f"{where}.to"),
                  _windows(raw["windows"], f"{where}.windows"), overrides)


def _month_day(raw: Any, where: str) -> tuple[int, int]:
    try:
        if not isinstance(raw, str) or len(raw) != 5 or raw[2] != "-":
            raise ValueError(raw)
        day = date(LEAP_YEAR, int(raw[:2]), int(raw[3:]))
    except ValueError:
        raise InvalidCommand(f"{where} must be a month-day MM-DD", field=where) from None
    return day.month, day.day


def _windows(raw: Any, where: str, *, allow_empty: bool = False) -> tuple[Window, ...]:
    if not isinstance(raw, list) or (not raw and not allow_empty) or len(raw) > 6:
        raise InvalidCommand("windows must be a list of 1–6 [\"HH:MM\", \"HH:MM\"] pairs", field=where)
    windows = [_window(w, f"{where}[{i}]") for i, w in enumerate(raw)]
    ordered = sorted(windows)
    for i in range(1, len(ordered)):
        if ordered[i - 1][1] > ordered[i][0]:
            raise InvalidCommand("duty windows must not overlap", field=where)
    return tuple(ordered)


def _window(raw: Any, where: str) -> Window:
    if not isinstance(raw, list) or len(raw) != 2:
        raise InvalidCommand("a window is a [\"HH:MM\", \"HH:MM\"] pair", field=where)
    start, end = (_clock_time(v) for v in raw)
    if start is None or end is None:
        raise InvalidCommand("a window's times must be HH:MM", field=where)
    if start >= end:
        raise InvalidCommand("a window must end after it starts (windows past midnight: split them)", field=where)
    return start, end


def _check_coverage(seasons: Sequence[Season], where: str) -> None:
    """Every day of a (leap) year in exactly one season."""
    day = date(LEAP_YEAR, 1, 1)
    while day.year == LEAP_YEAR:
        covering = [s.name or str(i) for i, s in enumerate(seasons) if s.covers(day)]
        if len(covering) != 1:
            what = "no season" if not covering else f"seasons {', '.join(covering)} both"
            raise InvalidCommand(f"{what} cover {day.month:02d}-{day.day:02d}: seasons must cover every day once",
                                 field=where)
        day = date.fromordinal(day.toordinal() + 1)
