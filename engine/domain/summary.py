"""The case summary: what task lists, case pages and the API show of a case, read from its data.

The lifecycle keeps its facts in well-known data fields (``report``, ``department``, ``due_at``,
``counters``…); other processes simply leave them empty. The deadline light is computed when read,
from ``warn_at``/``due_at`` and the clock, so it never goes stale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from engine.domain.city_zone import CITY, city_zone

# The city's zone as a tzinfo that follows the loaded profile (engine/domain/city_zone.py); kept for callers
# written before the profile named the zone.
CITY_ZONE = CITY
DESCRIPTION_CHARS = 500


@dataclass(frozen=True)
class CaseSummary:
    """The searchable facts of one case (all optional: a process may not have them)."""

    channel: str | None = None
    subtype: str | None = None
    description: str | None = None
    district: str | None = None
    resp_grid: str | None = None
    unit_grid: str | None = None
    lon: float | None = None
    lat: float | None = None
    urgency: str | None = None
    department: str | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    counters: dict[str, int] | None = None
    evaluation: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def case_no(case_id: int, started_at: datetime) -> str:
    """The number people quote: the start date in the city's zone and the case id, e.g. 20261126000123."""
    return f"{started_at.astimezone(city_zone()):%Y%m%d}{case_id:06d}"


CASE_NO_CHARS = 24  # the longest number anyone quotes: live numbers have 14–22 digits, imported ones ≤ 24
_LIVE_NO_DIGITS = (14, 22)  # 8 for the date, then the id (6 digits or more, at most 14: it fits 64 bits)
_NUMBER_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_")


def case_id_from_no(number: str) -> int | None:
    """The case id inside a live case number, or None when it is not one.

    ASCII digits only: ``str.isdigit`` also accepts superscripts and other scripts' digits, which ``int``
    then refuses or reads as another number; the length bound keeps the id inside a 64-bit column.
    """
    low, high = _LIVE_NO_DIGITS
    if not isinstance(number, str) or not low <= len(number) <= high or not number.isascii() \
            or not number.isdigit():
        return None
    return int(number[8:])


def may_be_case_no(number: str) -> bool:
    """Whether ``number`` could name a case, live or imported (ASCII letters, digits, '-' or '_', at most
    24): anything else is no case and need not be looked up."""
    return isinstance(number, str) and 0 < len(number) <= CASE_NO_CHARS and _NUMBER_CHARS.issuperset(number)


def summarise(data: dict[str, Any]) -> CaseSummary:
    """Pick the summary fields out of a case's data; anything missing or malformed stays empty."""
    report = _section(data, "report")
    location = _section(report, "location")
    description = _text(report.get("description"))
    return CaseSummary(
        channel=_text(report.get("channel")), subtype=_text(report.get("subtype")),
        description=description[:DESCRIPTION_CHARS] if description else None,
        district=_text(report.get("district")), resp_grid=_text(report.get("resp_grid")),
        unit_grid=_text(report.get("unit_grid")), lon=_number(location.get("lon")), lat=_number(location.get("lat")),
        urgency=_text(report.get("urgency")), department=_text(data.get("department")),
        due_at=_moment(data.get("due_at")), warn_at=_moment(data.get("warn_at")),
        counters=data["counters"] if isinstance(data.get("counters"), dict) else None,
        evaluation=data["evaluation"] if isinstance(data.get("evaluation"), dict) else None,
    )


def light(summary_due: datetime | None, summary_warn: datetime | None, now: datetime, *, open_: bool,
          suspended: bool = False) -> str | None:
    """The deadline light: green before the warning, yellow until the deadline, red after; grey while
    suspended (挂账); None when the case has no deadline or is no longer open."""
    if not open_ or summary_due is None:
        return None
    if suspended:
        return "grey"
    if now >= summary_due:
        return "red"
    return "yellow" if summary_warn is not None and now >= summary_warn else "green"


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is an object, else an empty one (the section is missing or malformed)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
