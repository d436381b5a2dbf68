"""The FEEL value model at the border: from_python, to_python, to_json, equality and order (feel.values)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import feel
from feel.errors import FeelError
from feel.values import Range, compare, equal, from_python, to_json, to_python, to_string, type_name


def test_numbers_become_decimal_on_entry() -> None:
    assert from_python(3) == Decimal(3) and isinstance(from_python(3), Decimal)
    assert from_python(0.1) == Decimal("0.1")  # the float's shortest repr, not its binary expansion
    assert from_python(True) is True  # a bool stays a bool
    assert from_python(float("nan")) is None
    assert from_python({"a": [1, (2,)]}) == {"a": [Decimal(1), [Decimal(2)]]}


def test_unknown_python_objects_are_refused() -> None:
    with pytest.raises(FeelError, match="object"):
        from_python(object())


def test_results_leave_as_plain_python_and_json() -> None:
    value = feel.evaluate("{n: 2, half: 1 / 2, l: [1.50], r: [1..2)}", {})
    assert to_python(value) == {"n": 2, "half": Decimal("0.5"), "l": [Decimal("1.50")], "r": Range(1, 2, True, False)}
    assert to_json(value) == {"n": 2, "half": 0.5, "l": [1.5], "r": "[1..2)"}


def test_dates_cross_the_border() -> None:
    day = from_python(dt.date(2024, 2, 29))
    assert type_name(day) == "date"
    assert to_python(feel.evaluate('d + duration("P1D")', {"d": day})) == dt.date(2024, 3, 1)
    assert to_json(day) == "2024-02-29"


def test_string_forms() -> None:
    assert to_string(Decimal("1.10")) == "1.1"
    assert to_string(Decimal("1E+3")) == "1000"
    assert to_string([Decimal(1), "a", None, True]) == '[1, "a", null, true]'
    assert to_string(Range(None, Decimal(5), False, True)) == "<= 5"


def test_equality_and_order() -> None:
    assert equal(Decimal("1.0"), Decimal(1)) is True
    assert equal(True, Decimal(1)) is None  # a boolean is no number
    assert equal(None, None) is True
    assert equal([Decimal(1), None], [Decimal(1), None]) is True
    assert compare("a", "b") == -1
    assert compare(Decimal(2), Decimal(1)) == 1
    assert compare(Decimal(1), "1") is None
    assert compare(True, False) is None


@pytest.mark.parametrize(
    ("value", "name"),
    [(None, "Null"), (True, "boolean"), (Decimal(1), "number"), ("", "string"), ([], "list"), ({}, "context")],
)
def test_type_names(value: object, name: str) -> None:
    assert type_name(value) == name
