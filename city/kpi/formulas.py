"""KPI formulas (CJ/T 292-style evaluation): periods, what each case counts for, rates and the composite score.

Every indicator is a ratio of two counts (or one count) over the cases *reported in the period* (登记时间 in
the period, city time), judged as the case stood at the period's cut-off ``as_of`` (the period end, or now
while the period runs): a report computed again later gives the same numbers. ``超期未处置数`` is a snapshot
of the running cases at the cut-off, whatever month they were reported in. ``unit_counts``,
``department_counts`` and ``role_counts`` are the reference definitions; the SQL in ``city.kpi.report``
computes the same counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from city.facts.model import CaseFacts
from engine.domain.errors import InvalidCommand
from engine.domain.periods import Period

# Groups of indicators: the spatial/department levels share the "unit" indicators.
LEVELS = {"department": "unit", "district": "unit", "street": "unit", "collector": "collector",
          "dispatcher": "dispatcher"}
UNIT_COUNTS = ("cases", "dispatched", "due_disposal", "disposed", "disposed_on_time", "extended", "returned",
               "due_closing", "closed", "closed_on_time", "reworked")
ROLE_COUNTS = ("decided_reports", "valid_reports", "verified", "verified_on_time", "checked", "checked_on_time",
               "dispatches", "dispatched_on_time", "accurate_dispatches")


@dataclass(frozen=True)
class Indicator:
    """One KPI: ``numerator / denominator`` of counts (``denominator`` None: the count itself)."""

    key: str
    group: str  # unit | collector | dispatcher
    numerator: str
    denominator: str | None
    higher_is_better: bool = True


INDICATORS = (
    Indicator("disposal_rate", "unit", "disposed", "due_disposal"),
    Indicator("on_time_disposal_rate", "unit", "disposed_on_time", "due_disposal"),
    Indicator("rework_rate", "unit", "reworked", "due_closing", higher_is_better=False),
    Indicator("overdue_open", "unit", "overdue_open", None, higher_is_better=False),
    Indicator("closing_rate", "unit", "closed", "due_closing"),
    Indicator("on_time_closing_rate", "unit", "closed_on_time", "due_closing"),
    Indicator("extension_rate", "unit", "extended", "due_disposal", higher_is_better=False),
    Indicator("return_rate", "unit", "returned", "dispatched", higher_is_better=False),
    Indicator("valid_report_rate", "collector", "valid_reports", "decided_reports"),
    Indicator("on_time_verify_rate", "collector", "verified_on_time", "verified"),
    Indicator("on_time_check_rate", "collector", "checked_on_time", "checked"),
    Indicator("on_time_dispatch_rate", "dispatcher", "dispatched_on_time", "dispatches"),
    Indicator("accurate_dispatch_rate", "dispatcher", "accurate_dispatches", "dispatches"),
)
BY_KEY = {i.key: i for i in INDICATORS}


def indicators_of(level: str) -> tuple[Indicator, ...]:
    """The indicators shown and scored at ``level``."""
    if level not in LEVELS:
        raise InvalidCommand(f"level must be one of {', '.join(LEVELS)}", field="level")
    return tuple(i for i in INDICATORS if i.group == LEVELS[level])


def _before(moment: datetime | None, cut: datetime) -> TypeGuard[datetime]:
    return moment is not None and moment < cut


def unit_counts(f: CaseFacts, period: Period, as_of: datetime) -> dict[str, int]:
    """What one case counts for at the department, district and street levels (reference definition)."""
    out = dict.fromkeys(UNIT_COUNTS, 0)
    if not period.start <= f.reported_at < period.end:
        return out
    c = f.counters
    dispatched = _before(f.dispatched_at, as_of)
    disposed = dispatched and _before(f.disposed_at, as_of)
    due = dispatched and (_before(f.due_at, as_of) or disposed)
    on_time = disposed and f.disposed_at is not None and (f.due_at is None or f.disposed_at <= f.due_at)
    due_closing = due and not c.get("suspensions", 0)
    closed = due_closing and f.result == "closed" and _before(f.closed_at, as_of)
    closed_on_time = closed and (f.closed_on_time if f.closed_on_time is not None else on_time)
    flags = {"cases": True, "dispatched": dispatched, "due_disposal": due, "disposed": due and disposed,
             "disposed_on_time": due and on_time, "extended": due and c.get("extensions", 0) > 0,
             "returned": dispatched and c.get("returns", 0) > 0, "due_closing": due_closing, "closed": closed,
             "closed_on_time": bool(closed_on_time), "reworked": due_closing and c.get("reworks", 0) > 0}
    return {k: int(bool(v)) for k, v in flags.items()}


def department_counts(f: CaseFacts, period: Period, as_of: datetime) -> dict[str | None, dict[str, int]]:
    """department → what one case counts for at the department level (reference definition).

    The case's final (disposing) department gets its ``unit_counts``, except a return (回退) made by another
    department (``returned_by``): that department is charged with it — ``returned`` and ``dispatched``, it
    was dispatched the case — and the final department's ``returned`` is not. A department that got back
    the case it returned is charged once. Only the last return is known (``returned_by``); without it the
    final department keeps the return. Districts and streets count returned cases as ``unit_counts`` does.
    """
    counts = unit_counts(f, period, as_of)
    out: dict[str | None, dict[str, int]] = {f.department: counts}
    if counts["returned"] and f.returned_by and f.returned_by != f.department:
        counts["returned"] = 0
        out[f.returned_by] = {**dict.fromkeys(UNIT_COUNTS, 0), "dispatched": 1, "returned": 1}
    return out


def overdue_open(f: CaseFacts, as_of: datetime) -> bool:
    """超期未处置: dispatched, past its deadline and not reported back (nor closed or voided) at the cut-off."""
    return (f.reported_at < as_of and _before(f.dispatched_at, as_of) and _before(f.due_at, as_of)
            and not _before(f.disposed_at, as_of) and not _before(f.closed_at, as_of) and f.result != "voided")


OnTime = Callable[[datetime, datetime, str], bool]  # (start, end, role) → within the role's limit


def role_counts(f: CaseFacts, roles: Mapping[str, str | None], period: Period, as_of: datetime,
                on_time: OnTime) -> dict[str, dict[str, int]]:
    """username → counts this case gives the collectors and dispatcher who worked it (reference definition).

    The reporter counts only for patrol/census reports; a void as out of scope is no one's fault.
    """
    out: dict[str, dict[str, int]] = {}
    if not period.start <= f.reported_at < period.end:
        return out

    def add(user: str | None, **counts: bool) -> None:
        if user:
            row = out.setdefault(user, dict.fromkeys(ROLE_COUNTS, 0))
            for key, value in counts.items():
                row[key] += int(value)

    if f.channel in ("patrol", "census") and _before(f.filed_at, as_of) and f.void_reason != "out_of_scope":
        add(f.reporter, decided_reports=True, valid_reports=f.result != "voided")
    if _before(f.verified_at, as_of):
        add(roles.get("verifier"), verified=True, verified_on_time=on_time(f.reported_at, f.verified_at, "verify"))
    if _before(f.checked_at, as_of) and f.disposed_at is not None:
        add(roles.get("checker"), checked=True, checked_on_time=on_time(f.disposed_at, f.checked_at, "check"))
    if _before(f.dispatched_at, as_of) and f.filed_at is not None:
        c = f.counters
        add(roles.get("dispatcher"), dispatches=True,
            dispatched_on_time=on_time(f.filed_at, f.dispatched_at, "dispatch"),
            accurate_dispatches=not c.get("returns", 0) and not c.get("wrong_dispatches", 0))
    return out


def add_counts(total: dict[str, int], more: Mapping[str, int]) -> dict[str, int]:
    """``total`` with ``more`` added key by key (in place; returned for chaining)."""
    for key, value in more.items():
        total[key] = total.get(key, 0) + value
    return total


def value_of(indicator: Indicator, counts: Mapping[str, int]) -> float | None:
    """The indicator's value; None when its denominator is zero (shown as —)."""
    top = counts.get(indicator.numerator, 0)
    if indicator.denominator is None:
        return float(top)
    bottom = counts.get(indicator.denominator, 0)
    return top / bottom if bottom else None


def normalised(indicator: Indicator, value: float | None, largest: float) -> float | None:
    """0..1, 1 best: a rate as is (or 1 − rate when lower is better); a count as 1 − count / largest count."""
    if value is None:
        return None
    if indicator.denominator is None:
        return 1.0 - value / largest if largest > 0 else 1.0
    return value if indicator.higher_is_better else 1.0 - value


def composite(values: Mapping[str, float | None], weights: Mapping[str, float],
              largest: Mapping[str, float]) -> float | None:
    """综合指标值 0..100: the weighted mean of the normalised indicators that have a value; None when no scored
    rate has one (a count alone, such as 超期未处置数 = 0 of a unit without cases, earns no score)."""
    total = weight = 0.0
    rated = False
    for key, w in weights.items():
        score = normalised(BY_KEY[key], values.get(key), largest.get(key, 0.0))
        if score is not None and w > 0:
            total += w * score
            weight += w
            rated = rated or BY_KEY[key].denominator is not None
    return round(100 * total / weight, 2) if rated else None


def ranks(scores: Iterable[float | None]) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4) by score, highest first; no score → no rank."""
    scores = list(scores)
    ordered = sorted((s for s in scores if s is not None), reverse=True)
    first: dict[float, int] = {}
    for position, score in enumerate(ordered, 1):
        first.setdefault(score, position)
    return [None if s is None else first[s] for s in scores]
