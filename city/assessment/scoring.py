"""Scoring one visit of an assessment inspection (考评评分), pure: the checklist's items, what the visit recorded and
which items the previous visit failed in, the visit's answer out (complete or not, what is missing, score, failed
items). The model asks it through the ``assessment_visit`` helper before a visit may be finished.

Visit 0 (the inspection, 考评检查) records every item applicable to the object's kind (pass, fail or na); its score
is ``round(100 × (Σ points of the non-na items − Σ deductions) / Σ points of the non-na items, 1)``, and all items
na is refused. Visit n ≥ 1 (a re-inspection, 复查) records only the items failed at visit n − 1, pass or fail. A
required photo (rule ``always``, or ``on_fail`` on a fail) missing refuses the visit naming
``items.<code>.photos``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RESULTS = ("pass", "fail", "na")
PHOTO_RULES = ("on_fail", "always", "optional")


@dataclass(frozen=True)
class VisitScore:
    """A visit's answer: ``problems`` (field → message) empty when it may be finished."""

    visit: int
    problems: dict[str, str] = field(default_factory=dict)
    score: float | None = None
    deducted: float = 0.0
    failed: list[str] = field(default_factory=list)
    applicable_points: float = 0.0

    @property
    def complete(self) -> bool:
        """True when nothing is missing."""
        return not self.problems

    def as_data(self) -> dict[str, Any]:
        """The answer as the model's data (JSON values)."""
        return {"visit": self.visit, "complete": self.complete, "problems": dict(self.problems),
                "score": self.score, "deducted": self.deducted, "failed": list(self.failed),
                "applicable_points": self.applicable_points}


def photo_required(item: Mapping[str, Any], result: str) -> bool:
    """Whether the item's photo rule needs a photo for ``result`` (na never does)."""
    rule = item.get("photo", "optional")
    return (rule == "always" and result != "na") or (rule == "on_fail" and result == "fail")


def expected_items(items: Sequence[Mapping[str, Any]], visit: int,
                   previous_failed: Sequence[str]) -> list[Mapping[str, Any]]:
    """The items visit ``visit`` must record: all of them at the inspection, the previous visit's failed ones at a
    re-inspection (in checklist order)."""
    if visit == 0:
        return list(items)
    failed = set(previous_failed)
    return [item for item in items if item["code"] in failed]


def _item_problems(item: Mapping[str, Any], row: Mapping[str, Any] | None, visit: int) -> dict[str, str]:
    code = item["code"]
    if row is None:
        return {f"items.{code}": f"item {code} ({item.get('label', '')}) is not recorded yet (尚未记录)"}
    if visit > 0 and row["result"] == "na":
        return {f"items.{code}": f"a re-inspection records {code} as pass or fail (复查不可不适用)"}
    if photo_required(item, row["result"]) and not row.get("photos"):
        return {f"items.{code}.photos": f"item {code} needs a photo (须拍照)"}
    return {}


def score_visit(items: Sequence[Mapping[str, Any]], visit: int, recorded: Mapping[str, Mapping[str, Any]],
                previous_failed: Sequence[str] = ()) -> VisitScore:
    """Score visit ``visit`` of an inspection: ``items`` the checklist items applicable to the object's kind,
    ``recorded`` item code → ``{result, deduction, photos}`` of this visit, ``previous_failed`` the codes visit
    ``visit − 1`` failed (re-inspections only)."""
    expected = expected_items(items, visit, previous_failed)
    problems: dict[str, str] = {}
    for item in expected:
        problems |= _item_problems(item, recorded.get(item["code"]), visit)
    if problems:
        return VisitScore(visit, problems)
    counted = [(item, recorded[item["code"]]) for item in expected if recorded[item["code"]]["result"] != "na"]
    if not counted:
        return VisitScore(visit, {"items": "every item is not applicable: nothing to score (全部不适用)"})
    points = float(sum(item["points"] for item, _ in counted))
    deducted = float(sum(row["deduction"] for _, row in counted if row["result"] == "fail"))
    failed = [item["code"] for item, row in counted if row["result"] == "fail"]
    score = round(100 * (points - deducted) / points, 1)
    return VisitScore(visit, {}, score, round(deducted, 2), failed, points)


def deduction_of(item: Mapping[str, Any], deduction: float | None, deduction_code: str | None) -> float | str:
    """A fail's deduction: a preset's points, the given points, or all the item's points; a message (str) when the
    given deduction or preset is not allowed (0 < d ≤ the item's points, a preset of the item)."""
    points = float(item["points"])
    if deduction_code is not None:
        preset = next((d for d in item.get("deductions") or () if d.get("code") == deduction_code), None)
        if preset is None:
            return f"item {item['code']} has no preset deduction {deduction_code!r}"
        if deduction is not None and float(deduction) != float(preset["points"]):
            return f"preset {deduction_code} deducts {preset['points']:g} points"
        return float(preset["points"])
    if deduction is None:
        return points
    if not 0 < deduction <= points:
        return f"a deduction is more than 0 and at most the item's {points:g} points (扣分)"
    return float(deduction)
