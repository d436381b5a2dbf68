"""Joint handling (主办/协办) in the KPIs: each co-handling department is charged for its own part.

A closed case's evaluation carries ``co_handling``: one entry per co-department of the last dispatch,
``{department, due_at, answered_at, on_time, reply}`` (``answered_at`` null: no answer by the co-handling
deadline). The lead department is judged by the case's own facts (its report back, ``disposed_at``); a
co-department only by its entry, so a late co-handler never makes the lead late, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

JOINT_COUNTS = ("co_handled", "co_answered", "co_on_time")


def co_parts(evaluation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The well-formed co-handling entries of one case's evaluation (none for a case without co-handlers)."""
    parts = evaluation.get("co_handling")
    if not isinstance(parts, list):
        return []
    return [p for p in parts if isinstance(p, dict) and isinstance(p.get("department"), str) and p["department"]]


def joint_counts(evaluations: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """department → ``co_handled`` (parts asked of it), ``co_answered`` (answered at all) and ``co_on_time``
    (answered by its own co-handling deadline), over the cases' evaluations."""
    out: dict[str, dict[str, int]] = {}
    for evaluation in evaluations:
        for part in co_parts(evaluation):
            counts = out.setdefault(part["department"], dict.fromkeys(JOINT_COUNTS, 0))
            counts["co_handled"] += 1
            counts["co_answered"] += part.get("answered_at") is not None
            counts["co_on_time"] += part.get("on_time") is True
    return out


def on_time_share(counts: Mapping[str, int] | None) -> float | None:
    """The share of a department's co-handling parts answered on time, in percent (None: it co-handled none)."""
    if not counts or not counts.get("co_handled"):
        return None
    return round(100.0 * counts.get("co_on_time", 0) / counts["co_handled"], 2)


def department_part(evaluations: Iterable[Mapping[str, Any]], code: str) -> dict[str, Any]:
    """One department's co-handling (协办) indicator: its counts and on-time share."""
    counts = joint_counts(evaluations).get(code, dict.fromkeys(JOINT_COUNTS, 0))
    return {**counts, "co_on_time_rate": on_time_share(counts)}
