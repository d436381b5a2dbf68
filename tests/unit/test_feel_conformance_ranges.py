"""Ranges whose end is null (DMN 1.5 §10.3.2.7): an end outside the range leaves that side open, so (null..10)
is the range < 10 and [10..null) is >= 10 — equal as values and alike as tests; an end inside the range must be
a value, so [null..10] and [1..null] are null (the DMN TCK's 0072-feel-in null_001_c/_d)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import feel
from feel.values import Range


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(< 10) = (n..10)", True),
        ("(<= 10) = (n..10]", True),
        ("(> 10) = (10..n)", True),
        ("(>= 10) = [10..n)", True),
        ("[n..10] = (<= 10)", False),  # [n..10] is null
        ("5 in [n..10]", None),
        ("5 in [1..n]", None),
        ("(n..10) = (n..11)", False),
        ("5 in (n..10)", True),
        ("15 in (n..10)", False),
        ("15 in [10..n)", True),
        ("(n..n)", None),
    ],
)
def test_a_null_end_leaves_the_range_open(expression: str, expected: object) -> None:
    assert feel.evaluate(expression, {"n": None}) == expected


def test_the_open_side_is_not_included() -> None:
    assert feel.evaluate("(n..2]", {"n": None}) == Range(None, Decimal(2), False, True)
    assert feel.evaluate("[2..null)", {}) == Range(Decimal(2), None, True, False)
    assert feel.evaluate("[n..2]", {"n": None}) is None
    assert feel.evaluate("[2..null]", {}) is None
