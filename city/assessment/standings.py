"""What the assessment's rankings, maps and report judge (考评排名), pure: a scheme's periods (``2027-01`` for the
monthly garbage-sorting round, ``2027-Q1`` for the quarterly property round) and their bounds in the city's zone,
the score's light on the map, the competition rank (ties share a rank, the next rank skips), and a property
company's credit score and grade (信用分, 等级)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from city.kpi.formulas import ranks
from engine.domain.city_zone import city_zone
from engine.domain.errors import InvalidCommand
from engine.persistence.assessment_records import SCHEMES as SCHEMES  # re-exported: the schemes the tables hold

MONTHS_PER_PERIOD = {"garbage_sorting": 1, "property": 3}  # monthly and quarterly rounds
LEVELS = ("object", "street", "district", "company")
PASS_SCORE = 80.0  # the report's pass rate: the share of inspected objects scoring at least this
LIGHTS = ((90.0, "green"), (80.0, "yellow"), (60.0, "orange"))  # below the last: red; not inspected: grey
GRADES = ((90.0, "A"), (75.0, "B"), (60.0, "C"))  # below the last: D
CREDIT_DAYS = 365  # a credit event counts this many days
# ASCII digits only: ``\d`` (and ``int``) also take full-width and Arabic-Indic digits
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")


def period_pattern(scheme: str) -> re.Pattern[str]:
    """The scheme's period format: months for garbage sorting, quarters for property."""
    return QUARTER if scheme == "property" else MONTH


def check_period(scheme: str, period: str) -> tuple[int, int]:
    """(year, month or quarter) of the scheme's ``period``; 422 naming ``period`` when it is not one."""
    found = period_pattern(scheme).fullmatch(period or "")
    number = int(found[2]) if found else 0
    if found is None or not 2000 <= int(found[1]) <= 2999 or not 1 <= number <= 12:
        shape = "yyyy-Qn" if scheme == "property" else "yyyy-mm"
        raise InvalidCommand(f"period must be a {scheme} period ({shape})", field="period")
    return int(found[1]), number


def previous_periods(scheme: str, period: str, count: int) -> list[str]:
    """``count`` periods ending with ``period``, oldest first (``2027-01``, 2 → ``2026-12``, ``2027-01``)."""
    year, number = check_period(scheme, period)
    per_year = 12 // MONTHS_PER_PERIOD[scheme]
    out = []
    for back in range(count - 1, -1, -1):
        index = year * per_year + number - 1 - back
        label = f"{index // per_year}-Q{index % per_year + 1}" if per_year == 4 else \
            f"{index // per_year}-{index % per_year + 1:02d}"
        out.append(label)
    return out


def previous_period(scheme: str, period: str) -> str:
    """The period before ``period`` (the change column compares with its round)."""
    return previous_periods(scheme, period, 2)[0]


def period_bounds(scheme: str, period: str) -> tuple[datetime, datetime]:
    """[start, end) of the period in the city's zone."""
    year, number = check_period(scheme, period)
    months = MONTHS_PER_PERIOD[scheme]
    first_month = (number - 1) * months + 1
    after = first_month - 1 + months
    zone = city_zone()
    start = datetime.combine(date(year, first_month, 1), datetime.min.time(), zone)
    end = datetime.combine(date(year + after // 12, after % 12 + 1, 1), datetime.min.time(), zone)
    return start, end


def light(score: float | None) -> str:
    """The map's colour of a score: green ≥ 90, yellow ≥ 80, orange ≥ 60, red below, grey not inspected."""
    if score is None:
        return "grey"
    return next((colour for floor, colour in LIGHTS if score >= floor), "red")


def grade(credit_score: float) -> str:
    """A company's credit grade: A ≥ 90, B ≥ 75, C ≥ 60, D below."""
    return next((letter for floor, letter in GRADES if credit_score >= floor), "D")


def credit_score(points_lost: float) -> float:
    """100 − the points lost in the last 365 days, kept within 0..100."""
    return round(max(0.0, min(100.0, 100.0 - points_lost)), 1)


def rank_rows(rows: list[dict[str, Any]], key: str = "score") -> list[dict[str, Any]]:
    """The rows best first (unscored last, by code), each given ``rank``: 1 = best, ties share a rank and the next
    one skips (90, 90, 80 → 1, 1, 3); an unscored row has no rank."""
    scored = sorted((r for r in rows if r[key] is not None), key=lambda r: (-r[key], str(r["code"])))
    unscored = sorted((r for r in rows if r[key] is None), key=lambda r: str(r["code"]))
    ordered = scored + unscored
    for row, rank in zip(ordered, ranks(r[key] for r in ordered), strict=True):  # the KPI's competition ranks
        row["rank"] = rank
    return ordered


def change(now: float | None, before: float | None) -> float | None:
    """The score's change since the previous period (None when either is missing)."""
    return None if now is None or before is None else round(now - before, 1)


def average(scores: list[float]) -> float | None:
    """The mean to one decimal; None for no score."""
    return round(sum(scores) / len(scores), 1) if scores else None
