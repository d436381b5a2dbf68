"""city/assessment/scoring.py: every rule of scoring a visit (考评评分) — the inspection records every item, the
score over the applicable items' points, all na refused, a re-inspection (复查) records only the items that failed
before, pass or fail, the photo rules, and a fail's deduction (a preset, given, or all the points)."""

from __future__ import annotations

from typing import Any

import pytest

from city.assessment.scoring import deduction_of, expected_items, photo_required, score_visit

ITEMS: list[dict[str, Any]] = [
    {"code": "A", "label": "设施", "points": 40, "photo": "on_fail",
     "deductions": [{"code": "A1", "label": "缺一类", "points": 10}]},
    {"code": "B", "label": "标识", "points": 30, "photo": "optional"},
    {"code": "C", "label": "台账", "points": 30, "photo": "always"},
]
PHOTO = ["ab" * 32]


def done(result: str, deduction: float = 0.0, photos: list[str] | None = None) -> dict[str, Any]:
    return {"result": result, "deduction": deduction, "photos": PHOTO if photos is None else photos}


def test_every_item_passed_scores_100() -> None:
    answer = score_visit(ITEMS, 0, {"A": done("pass"), "B": done("pass"), "C": done("pass")})
    assert answer.complete and (answer.score, answer.deducted, answer.failed, answer.applicable_points) == (
        100.0, 0.0, [], 100.0)
    assert answer.as_data() == {"visit": 0, "complete": True, "problems": {}, "score": 100.0, "deducted": 0.0,
                                "failed": [], "applicable_points": 100.0}


def test_the_score_is_over_the_applicable_items_rounded_to_one_place() -> None:
    answer = score_visit(ITEMS, 0, {"A": done("fail", 10), "B": done("na"), "C": done("fail", 7)})
    assert (answer.score, answer.deducted, answer.failed, answer.applicable_points) == (75.7, 17.0, ["A", "C"], 70.0)


def test_an_unrecorded_item_is_named() -> None:
    answer = score_visit(ITEMS, 0, {"A": done("pass")})
    assert not answer.complete and set(answer.problems) == {"items.B", "items.C"} and answer.score is None


def test_every_item_not_applicable_is_refused() -> None:
    answer = score_visit(ITEMS, 0, {code: done("na") for code in "ABC"})
    assert set(answer.problems) == {"items"}


@pytest.mark.parametrize(("rule", "result", "needed"), [
    ("on_fail", "fail", True), ("on_fail", "pass", False), ("always", "pass", True), ("always", "fail", True),
    ("always", "na", False), ("optional", "fail", False), ("on_fail", "na", False)])
def test_the_photo_rules(rule: str, result: str, needed: bool) -> None:
    assert photo_required({"photo": rule}, result) is needed


def test_a_required_photo_missing_is_named() -> None:
    answer = score_visit(ITEMS, 0, {"A": done("fail", 40, []), "B": done("fail", 30, []), "C": done("pass", 0, [])})
    assert answer.problems.keys() == {"items.A.photos", "items.C.photos"}


def test_a_reinspection_records_only_the_items_failed_before() -> None:
    assert [i["code"] for i in expected_items(ITEMS, 1, ["C", "A"])] == ["A", "C"]
    answer = score_visit(ITEMS, 1, {"A": done("pass"), "B": done("fail", 30)}, ["A", "C"])
    assert set(answer.problems) == {"items.C"}  # B was not failed before: its record is not asked for
    answer = score_visit(ITEMS, 2, {"A": done("pass"), "C": done("fail", 30)}, ["A", "C"])
    assert answer.complete and answer.failed == ["C"] and answer.applicable_points == 70.0


def test_a_reinspection_never_says_not_applicable() -> None:
    answer = score_visit(ITEMS, 1, {"A": done("na")}, ["A"])
    assert set(answer.problems) == {"items.A"}


@pytest.mark.parametrize(("deduction", "code", "expected"), [
    (None, None, 40.0), (12.5, None, 12.5), (40, None, 40.0), (None, "A1", 10.0), (10, "A1", 10.0)])
def test_a_fails_deduction(deduction: float | None, code: str | None, expected: float) -> None:
    assert deduction_of(ITEMS[0], deduction, code) == expected


@pytest.mark.parametrize(("deduction", "code"), [(0, None), (-1, None), (40.5, None), (None, "B1"), (5, "A1")])
def test_a_deduction_not_allowed_is_a_message(deduction: float | None, code: str | None) -> None:
    assert isinstance(deduction_of(ITEMS[0], deduction, code), str)
