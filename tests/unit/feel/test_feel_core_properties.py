"""Laws of FEEL arithmetic and ordering, checked on generated numbers and strings (hypothesis)."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import feel
from feel.values import NUMBER_CONTEXT

# decimal128 numbers well inside the exponent range, so sums neither overflow nor underflow
numbers = st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e30"), max_value=Decimal("1e30"),
                      places=None).map(NUMBER_CONTEXT.plus)  # fmt: skip
texts = st.text(max_size=12)

ADD = feel.compile_expression("a + b")
MUL = feel.compile_expression("a * b")
SELF_MINUS = feel.compile_expression("a - a")
ROUND_TRIP = feel.compile_expression("(a + b) - b")
LESS, EQUAL, GREATER = (feel.compile_expression(f"a {op} b") for op in ("<", "=", ">"))


@settings(max_examples=200, deadline=None)
@given(numbers, numbers)
def test_addition_and_multiplication_commute(a: Decimal, b: Decimal) -> None:
    context, swapped = {"a": a, "b": b}, {"a": b, "b": a}
    assert ADD.evaluate(context) == ADD.evaluate(swapped)
    assert MUL.evaluate(context) == MUL.evaluate(swapped)


@settings(max_examples=200, deadline=None)
@given(numbers)
def test_a_number_minus_itself_is_zero(a: Decimal) -> None:
    assert SELF_MINUS.evaluate({"a": a}) == 0


@settings(max_examples=200, deadline=None)
@given(numbers, numbers)
def test_adding_then_subtracting_returns_within_decimal128_rounding(a: Decimal, b: Decimal) -> None:
    result = ROUND_TRIP.evaluate({"a": a, "b": b})
    # one rounding in each operation, each at most half a unit in the 34th digit of the larger magnitude
    tolerance = max(abs(a), abs(b), abs(a + b)) * Decimal("1e-33")
    assert abs(result - a) <= tolerance


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.tuples(numbers, numbers), st.tuples(texts, texts)))
def test_exactly_one_of_less_equal_greater_holds(pair: tuple[object, object]) -> None:
    context = {"a": pair[0], "b": pair[1]}
    outcomes = [LESS.evaluate(context), EQUAL.evaluate(context), GREATER.evaluate(context)]
    assert all(isinstance(outcome, bool) for outcome in outcomes)
    assert outcomes.count(True) == 1


@settings(max_examples=100, deadline=None)
@given(numbers, numbers)
def test_comparing_with_another_kind_is_null(a: Decimal, b: Decimal) -> None:
    assert LESS.evaluate({"a": a, "b": str(b)}) is None
    assert EQUAL.evaluate({"a": a, "b": None}) is False


_TOKENS = ["1", "2.5", "-", "+", "*", "/", "**", "(", ")", "[", "]", "{", "}", ",", ":", ".", "..", "x", "y", "item",
           "?", '"a"', "null", "true", "false", "and", "or", "if", "then", "else", "for", "in", "return", "some",
           "every", "satisfies", "between", "instance", "of", "number", "function", "=", "!=", "<", ">", "<=", ">=",
           "not", "@", '"2020-01-01"', "date and time", "sum", "count", "list", "->", "partial", "x y"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=14))
def test_any_token_soup_is_a_syntax_error_or_a_value_never_a_crash(tokens: list[str]) -> None:
    text = " ".join(tokens)
    context = {"x": [Decimal(1), Decimal(2)], "y": {"a": Decimal(1)}}
    for compile_text, run in (
        (feel.compile_expression, lambda compiled: compiled.evaluate(context)),
        (feel.compile_unary_tests, lambda compiled: compiled.matches(Decimal(1), context)),
    ):
        try:
            compiled = compile_text(text)
        except feel.FeelError:
            continue
        with feel.budget.limit(cpu_seconds=1, max_steps=100_000), contextlib.suppress(feel.FeelBudgetExceeded):
            run(compiled)  # any value, null included: only an exception other than the budget's would fail
