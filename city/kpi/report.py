"""KPI counts of the units and people: the unit key totals (``city.kpi.month``) summed to the
department, district and street levels (a return is charged at the department level to the department that
made it), and role steps judged in working time: a step whose natural duration is within the limit is within
it (working time never exceeds natural time); only the others are measured against the calendar, all at once
(``city.kpi.clock``). The period's cases are read once (``city.persistence.read.kpi.period_facts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from city.kpi.clock import kept_to, moment
from city.kpi.config import KpiConfig, RoleLimit
from city.kpi.formulas import ROLE_COUNTS, UNIT_COUNTS, add_counts
from city.kpi.month import People, people_of, per_person, reports_and_dispatches, step_times
from city.persistence.read import kpi as reads
from city.persistence.read.kpi import PeriodFacts
from engine.bpmn.step_limits import decide_step_limit
from engine.domain.periods import Period
from engine.domain.working_time import WorkingClock, WorkingTime
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.versions import latest_version
from engine.service.deps import Deps

Counts = dict[str, dict[str, int]]
LIFECYCLE = "case_lifecycle"  # the process whose step-limit decision (rules/step_limits.dmn) the role steps share
# the facts keep no urgency: role steps are judged as normal cases (of their subtype)
ORDINARY_CASE: dict[str, dict[str, Any]] = {"report": {"urgency": "normal"}}
CLOCK_DAYS = 3660  # a span of steps longer than ten years is measured step by step (a clock per day costs)


def roll_up(by_key: dict[tuple[str, ...], dict[str, int]], overdue: dict[tuple[str, ...], int]) -> dict[str, Counts]:
    """The department, district and street totals of the grouped counts (None keys left out).

    A return (回退) made by another department than the final one (``returned_by``) is charged to that
    department — its ``returned`` and ``dispatched`` — and not to the final one (``department_counts``).
    """
    levels: dict[str, Counts] = {"department": {}, "district": {}, "street": {}}

    def add(level: str, code: str | None, counts: dict[str, int]) -> None:
        if code:
            add_counts(levels[level].setdefault(code, dict.fromkeys((*UNIT_COUNTS, "overdue_open"), 0)), counts)

    for (department, district, street, returner), counts in by_key.items():
        add("district", district, counts)
        add("street", street, counts)
        if returner and returner != department and counts["returned"]:
            add("department", returner, {"dispatched": counts["returned"], "returned": counts["returned"]})
            counts = {**counts, "returned": 0}
        add("department", department, counts)
    for key, late in overdue.items():
        for level, code in zip(levels, key, strict=True):
            add(level, code, {"overdue_open": late})
    return levels


def limit_delta(limit: RoleLimit, working_time: WorkingTime | None) -> timedelta:
    """The limit as natural time: an upper bound of the working time it allows."""
    if limit.unit == "working_days":
        day = working_time.day_length if working_time is not None else timedelta(hours=24)
        return day * limit.amount
    return timedelta(days=limit.amount) if limit.unit == "natural_days" else timedelta(hours=limit.amount)


def within(start: datetime, end: datetime, limit: RoleLimit, working_time: WorkingTime | None) -> bool:
    """Whether a role step from ``start`` to ``end`` kept to ``limit`` (working units need ``working_time``;
    without one they are measured in natural time)."""
    if limit.unit.startswith("working") and working_time is not None:
        return working_time.elapsed(start, end, limit.unit) <= limit.amount
    return end - start <= limit_delta(limit, working_time)


def role_step_counts(facts: PeriodFacts, people: People, step: str, limit: RoleLimit,
                     working_time: WorkingTime | None, rows: np.ndarray | None = None) -> Counts:
    """username → (steps, steps within the limit) for one role step of the period's cases (``rows``: of those
    rows only). A step whose natural duration is within the limit less a second is within it (working time never
    exceeds natural time); only the others are measured against the calendar."""
    who, start, end, total, on_time = reads.STEPS[step]
    mask, began, ended = step_times(facts, step)
    if rows is not None:  # the cases this limit applies to (their subtype's)
        mask = mask & rows
        began, ended = facts.times[start][mask], facts.times[end][mask]
    bound = (limit_delta(limit, working_time) - timedelta(seconds=1)) // timedelta(microseconds=1)
    kept = ended - began <= bound
    slow = np.flatnonzero(~kept)
    kept[slow] = _verdicts(limit, working_time, began[slow], ended[slow])
    steps = np.zeros(len(mask), dtype=bool)
    steps[mask] = kept
    return per_person(people[who], {total: mask, on_time: steps})


def _verdicts(limit: RoleLimit, working_time: WorkingTime | None, starts: np.ndarray,
              ends: np.ndarray) -> list[bool]:
    """``within`` of each step (began, ended: epoch microseconds). In working units through one ``WorkingClock``
    over their days, all at once (``kpi_clock.kept_to``) or, where that cannot, step by step: the same answer."""
    if not len(starts):
        return []
    pairs = list(zip(starts.tolist(), ends.tolist(), strict=True))
    if working_time is None or not limit.unit.startswith("working"):
        return [within(moment(a), moment(b), limit, working_time) for a, b in pairs]
    zone = working_time.zone
    first = moment(int(starts.min())).astimezone(zone).date()
    last = moment(int(ends.max())).astimezone(zone).date()
    if (last - first).days > CLOCK_DAYS:
        return [within(moment(a), moment(b), limit, working_time) for a, b in pairs]
    clock = WorkingClock(working_time, first, last)
    fast = kept_to(clock, starts, ends, limit.unit, limit.amount)
    if fast is not None:
        return fast
    return [clock.elapsed(moment(a), moment(b), limit.unit) <= limit.amount for a, b in pairs]


def role_counts_by_user(store: CaseStore, period: Period, as_of: datetime, config: KpiConfig,
                        working_time: WorkingTime | None) -> Counts:
    """username → the collector and dispatcher counts of the period's cases at the cut-off."""
    return role_counts_of(reads.period_facts(store, period, as_of), config, working_time)


def role_counts_of(facts: PeriodFacts, config: KpiConfig, working_time: WorkingTime | None) -> Counts:
    """username → the collector and dispatcher counts of the period's cases read once (``period_facts``)."""
    out: Counts = {}
    people = people_of(facts)
    for step, limit in config.limits.items():
        for rows, row_limit in _limit_groups(facts, step, limit, config):
            for user, counts in role_step_counts(facts, people, step, row_limit, working_time, rows).items():
                add_counts(out.setdefault(user, dict.fromkeys(ROLE_COUNTS, 0)), counts)
    for user, counts in reports_and_dispatches(facts, people).items():
        add_counts(out.setdefault(user, dict.fromkeys(ROLE_COUNTS, 0)), counts)
    return out


def _limit_groups(facts: PeriodFacts, step: str, limit: RoleLimit,
                  config: KpiConfig) -> list[tuple[np.ndarray | None, RoleLimit]]:
    """(rows, their limit) for one role step: every row with ``limit``, or, where the settings read the step-limit
    decision (``limit_of``), the rows of each subtype with the limit it gives them (``limit`` where it gives none)."""
    if config.limit_of is None or not facts.subtypes:
        return [(None, limit)]
    by_subtype = {subtype: config.limit_of(step, subtype) or limit for subtype in set(facts.subtypes)}
    if len(set(by_subtype.values())) == 1:
        return [(None, next(iter(by_subtype.values())))]
    return [(np.array([by_subtype[s] == shared for s in facts.subtypes], dtype=bool), shared)
            for shared in set(by_subtype.values())]


def merge_units(known: Iterable[tuple[str, str, str]], counted: Iterable[str]) -> list[tuple[str, str, str]]:
    """The known units plus any code the facts name that the tables do not (imported history)."""
    known = list(known)
    names = {code for code, _, _ in known}
    return known + [(code, code, code) for code in sorted(set(counted) - names)]


def decided_limits(deps: Deps, config: KpiConfig) -> KpiConfig:
    """The settings with each role step's limit as the lifecycle's step-limit decision gives it for an ordinary case
    (the limit its task had) and, through ``limit_of``, for each case's subtype — where the newest deployed
    lifecycle names a decision and it answers; else the settings' ``role_limits`` (the fallback)."""
    with deps.uow(read_only=True) as uow:
        version = latest_version(uow.store, LIFECYCLE)
        source = None if version is None else deps.spec(uow, version.id).step_limits
    if source is None:
        return config
    found: dict[tuple[str, str | None], RoleLimit | None] = {}

    def limit_of(step: str, subtype: str | None) -> RoleLimit | None:
        """The decision's limit of a role step for a case of ``subtype`` (urgency normal), decided once."""
        if (step, subtype) not in found:
            report = {**ORDINARY_CASE["report"], "subtype": subtype}
            decided = decide_step_limit(source, {"report": report, "step": step}, deps.script_limits)
            found[step, subtype] = None if decided is None else RoleLimit(decided.amount, decided.unit)
        return found[step, subtype]

    limits = {step: limit_of(step, None) or limit for step, limit in config.limits.items()}
    return replace(config, limits=limits, limit_of=limit_of)
