"""FEEL numeric built-ins (DMN 1.5 §10.3.4.5): rounding with a scale, abs (numbers and durations), modulo with
the divisor's sign, sqrt, log, exp, odd, even — the spec's examples and null for every misuse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from feel_builtin_calls import call, call_named, t


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("decimal", (Decimal(1) / 3, 2), "0.33"),
        ("decimal", (Decimal("1.5"), 0), "2"),
        ("decimal", (Decimal("2.5"), 0), "2"),  # half even
        ("decimal", (Decimal("1.035"), 2), "1.04"),
        ("decimal", (Decimal("1.045"), 2), "1.04"),
        ("decimal", (Decimal("1.5"), Decimal("0.5")), "2"),  # decimal() takes the scale's whole part
        ("decimal", (Decimal(1) / 3, Decimal("2.5")), "0.33"),
        ("round up", (Decimal("1.5"), Decimal("0.5")), None),  # the other rounding functions refuse it
        ("floor", (Decimal("1.5"),), "1"),
        ("floor", (Decimal("-1.5"),), "-2"),
        ("floor", (Decimal("-1.56"), 1), "-1.6"),
        ("ceiling", (Decimal("1.5"),), "2"),
        ("ceiling", (Decimal("-1.5"),), "-1"),
        ("ceiling", (Decimal("-1.56"), 1), "-1.5"),
        ("round up", (Decimal("5.5"), 0), "6"),
        ("round up", (Decimal("-5.5"), 0), "-6"),
        ("round up", (Decimal("1.121"), 2), "1.13"),
        ("round up", (Decimal("-1.126"), 2), "-1.13"),
        ("round down", (Decimal("5.5"), 0), "5"),
        ("round down", (Decimal("-5.5"), 0), "-5"),
        ("round down", (Decimal("1.121"), 2), "1.12"),
        ("round half up", (Decimal("5.5"), 0), "6"),
        ("round half up", (Decimal("-5.5"), 0), "-6"),
        ("round half up", (Decimal("1.125"), 2), "1.13"),
        ("round half down", (Decimal("5.5"), 0), "5"),
        ("round half down", (Decimal("-5.5"), 0), "-5"),
        ("round half down", (Decimal("1.126"), 2), "1.13"),
        ("round half down", (Decimal("-0.4"), 0), "0"),  # never "-0"
        ("abs", (10,), "10"),
        ("abs", (-10,), "10"),
        ("modulo", (12, 5), "2"),
        ("modulo", (-12, 5), "3"),
        ("modulo", (12, -5), "-3"),
        ("modulo", (-12, -5), "-2"),
        ("modulo", (Decimal("10.1"), Decimal("4.5")), "1.1"),
        ("modulo", (Decimal("-10.1"), Decimal("4.5")), "3.4"),
        ("modulo", (5, 0), None),
        ("sqrt", (16,), "4"),
        ("sqrt", (-3,), None),
        ("exp", (0,), "1"),
        ("log", (0,), None),
        ("log", (-1,), None),
        ("odd", (5,), True),
        ("odd", (2,), False),
        ("even", (-2,), True),
        ("even", (Decimal("5.5"),), None),
        ("floor", ("1",), None),
        ("floor", (Decimal("1.5"), None), None),  # an explicit null scale is null, not 0
        ("round up", (Decimal("1234.12"), None), None),
        ("round up", (Decimal("1234.12"),), None),
        ("round up", (Decimal("5.5"), 6176), "5.5"),
        ("round up", (Decimal("5.5"), 6177), None),
        ("round up", (Decimal("5.5"), -6112), None),
        ("round down", (Decimal("1234.12"), 1, 2), None),
        ("decimal", (Decimal("7.5"), 6176), "7.5"),
        ("abs", (None,), None),
    ],
)
def test_numeric_functions(name: str, args: tuple[object, ...], expected: object) -> None:
    found = call(name, *args)
    assert (str(found) if isinstance(found, Decimal) else found) == expected


def test_logarithm_and_exponential_keep_34_digits() -> None:
    assert str(call("log", 10)) == "2.302585092994045684017991454684364"
    assert str(call("exp", 4)) == "54.59815003314423907811026120286088"
    assert str(call("sqrt", 2)) == "1.414213562373095048801688724209698"


def test_abs_of_durations() -> None:
    assert call("abs", t("-PT1H")) == t("PT1H")
    assert call("abs", t("-P2M")) == t("P2M")


def test_numeric_functions_by_name() -> None:
    assert call_named("decimal", n=Decimal("0.505"), scale=2) == Decimal("0.50")
    assert call_named("modulo", dividend=12, divisor=5) == 2
    assert call_named("round up", n=Decimal("5.5"), scale=0) == 6
