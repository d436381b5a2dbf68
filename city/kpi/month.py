"""The period's counts from its cases read once (``city.persistence.read.kpi.period_facts``): the flags SQL set
per case summed by unit key and by person with numpy, and each role step's times for ``city.kpi.report`` to
judge. At the city's scale a month is ~75,000 cases; six reads of them (the unit counts, three role steps, the
reports, the dispatches) took 1.2–2.0 s of the monthly report; one read and these sums take about half.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from city.kpi.formulas import UNIT_COUNTS
from city.persistence.read.kpi import STEPS, UNIT_SEPARATOR, PeriodFacts

Counts = dict[str, dict[str, int]]


def factorize(values: Iterable[Any], count: int) -> tuple[np.ndarray, list[Any]]:
    """Each value's position among the distinct values (int64 array) and those values, first seen first."""
    values = list(values)
    distinct = list(dict.fromkeys(values))
    index = {value: position for position, value in enumerate(distinct)}
    return np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=count), distinct


def _sums(codes: np.ndarray, size: int, masks: Sequence[np.ndarray]) -> list[list[int]]:
    """Per mask, how many rows of each code have it (Python ints)."""
    return [np.bincount(codes[mask], minlength=size).tolist() for mask in masks]


def unit_flags(facts: PeriodFacts) -> dict[str, np.ndarray]:
    """Count → which of the period's cases it counts at the cut-off: ``city.kpi.formulas.unit_counts`` over the
    flags (the date conditions evaluated in SQL; ``closed_on_time`` is the process's verdict, when known)."""
    dispatched, disposed = facts.flag("dispatched"), facts.flag("disposed")
    due = dispatched & (facts.flag("deadline_passed") | disposed)
    on_time = disposed & facts.flag("disposed_by_deadline")
    closing = due & facts.flag("never_suspended")
    closed = closing & facts.flag("result_closed") & facts.flag("closed")
    known = facts.flag("verdict_known")
    verdict = (known & facts.flag("verdict_on_time")) | (~known & on_time)
    flags = {"cases": np.ones(len(facts.flags), dtype=bool), "dispatched": dispatched, "due_disposal": due,
             "disposed": due & disposed, "disposed_on_time": due & on_time, "extended": due & facts.flag("extended"),
             "returned": dispatched & facts.flag("returned"), "due_closing": closing, "closed": closed,
             "closed_on_time": closed & verdict, "reworked": closing & facts.flag("reworked")}
    return {name: flags[name] for name in UNIT_COUNTS}


def unit_counts_by_key(facts: PeriodFacts) -> dict[tuple[Any, ...], dict[str, int]]:
    """(department, district, street, returned_by) → the unit counts of the period's cases at the cut-off (''
    where a key is NULL: ``city.kpi.report.roll_up`` leaves both out)."""
    codes, keys = factorize(facts.units, len(facts.units))
    sums = _sums(codes, len(keys), list(unit_flags(facts).values()))
    return {tuple(key.split(UNIT_SEPARATOR)): {name: sums[i][row] for i, name in enumerate(UNIT_COUNTS)}
            for row, key in enumerate(keys)}


People = dict[str, tuple[np.ndarray, list[Any]]]  # column → each row's person (code), the people


def people_of(facts: PeriodFacts) -> People:
    """Each people column (reporter, verifier, dispatcher, checker) factorized once."""
    return {column: factorize(values, len(facts.flags)) for column, values in facts.people.items()}


def per_person(people: tuple[np.ndarray, list[Any]], counts: dict[str, np.ndarray]) -> Counts:
    """username → the ``counts`` (name → mask of rows) of the rows naming them (``people``: a column of
    ``people_of``); only people with a row in the first mask (a superset of the others)."""
    codes, users = people
    names = list(counts)
    sums = _sums(codes, len(users), list(counts.values()))
    return {user: {name: sums[i][row] for i, name in enumerate(names)}
            for row, user in enumerate(users) if sums[0][row] and user is not None}


def reports_and_dispatches(facts: PeriodFacts, people: People) -> Counts:
    """username → decided and valid reports (collectors), accurate dispatches (dispatchers) of the period."""
    decided = facts.flag("decided")
    out = per_person(people["reporter"], {"decided_reports": decided, "valid_reports": decided & facts.flag("valid")})
    dispatched = facts.flag("dispatch")
    for user, counts in per_person(people["dispatcher"], {"dispatches": dispatched, "accurate_dispatches":
                                                          dispatched & facts.flag("accurate")}).items():
        out.setdefault(user, {})["accurate_dispatches"] = counts["accurate_dispatches"]
    return out


def step_times(facts: PeriodFacts, step: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mask of the rows with the role step ended before the cut-off, and their begin and end (epoch µs)."""
    _, start, end, _, _ = STEPS[step]
    mask = facts.flag(step)
    return mask, facts.times[start][mask], facts.times[end][mask]
