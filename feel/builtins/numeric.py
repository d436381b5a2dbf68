"""Numeric built-ins (DMN 1.5 §10.3.4.5): rounding with a scale, abs, modulo, sqrt, log, exp, odd, even.

All arithmetic happens in FEEL's decimal128 context (``feel.values.NUMBER_CONTEXT``).
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from typing import Any

from feel.builtins._registry import Registry, integer, number
from feel.temporal import DaysTimeDuration, YearsMonthsDuration
from feel.values import NUMBER_CONTEXT

functions = Registry()
MAX_SCALE = 6176  # decimal128's exponent range bounds a meaningful scale
MIN_SCALE = -6111


def _rounded(value: Any, scale: Any, rounding: str, whole_scale: bool = False) -> Decimal:
    # decimal(1/3, 2.5) is 0.33: decimal() takes the scale's whole part (the kit's ACTICO cases expect it);
    # the other rounding functions still refuse a fractional scale
    places = int(number(scale)) if whole_scale else integer(scale)
    if not MIN_SCALE <= places <= MAX_SCALE:
        raise ValueError("scale out of range")
    found = number(value)
    exponent = found.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= places:
        return found  # already no more decimal places than asked for: nothing to round
    result = found.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=NUMBER_CONTEXT)
    return result.copy_abs() if result.is_zero() else result  # never "-0"


_NO_SCALE = object()  # floor(n) and ceiling(n) round to a whole number; an explicit null scale is null


def _register(name: str, rounding: str, scale_required: bool) -> None:
    if scale_required:

        def with_scale(n: Any, scale: Any) -> Decimal:
            return _rounded(n, scale, rounding, whole_scale=name == "decimal")

        with_scale.__doc__ = f"{name}(n, scale)."
        functions(name, "n", "scale")(with_scale)
    else:

        def optional_scale(n: Any, scale: Any = _NO_SCALE) -> Decimal:
            return _rounded(n, Decimal(0) if scale is _NO_SCALE else scale, rounding)

        optional_scale.__doc__ = f"{name}(n, scale?)."
        functions(name, "n", "scale")(optional_scale)


_register("decimal", ROUND_HALF_EVEN, True)
_register("floor", ROUND_FLOOR, False)
_register("ceiling", ROUND_CEILING, False)
_register("round up", ROUND_UP, True)
_register("round down", ROUND_DOWN, True)
_register("round half up", ROUND_HALF_UP, True)
_register("round half down", ROUND_HALF_DOWN, True)


@functions("abs", "n")
def absolute(value: Any) -> Any:
    """abs(n) of a number or of either duration kind."""
    if isinstance(value, DaysTimeDuration):
        return DaysTimeDuration(abs(value.nanos))
    if isinstance(value, YearsMonthsDuration):
        return YearsMonthsDuration(abs(value.months))
    return NUMBER_CONTEXT.abs(number(value))


@functions("modulo", "dividend", "divisor")
def modulo(dividend: Any, divisor: Any) -> Decimal:
    """modulo(dividend, divisor): the remainder with the divisor's sign (null for a zero divisor)."""
    a, b = number(dividend), number(divisor)
    if b == 0:
        raise ZeroDivisionError("modulo by zero")
    quotient = NUMBER_CONTEXT.divide(a, b).to_integral_value(rounding=ROUND_FLOOR)
    return NUMBER_CONTEXT.subtract(a, NUMBER_CONTEXT.multiply(b, quotient))


@functions("sqrt", "number")
def square_root(value: Any) -> Decimal:
    """sqrt(number): null for a negative number."""
    found = number(value)
    if found < 0:
        raise ValueError("square root of a negative number")
    return NUMBER_CONTEXT.sqrt(found)


@functions("log", "number")
def logarithm(value: Any) -> Decimal:
    """log(number): the natural logarithm; null for zero or a negative number."""
    found = number(value)
    if found <= 0:
        raise ValueError("log of a number that is not positive")
    return NUMBER_CONTEXT.ln(found)


@functions("exp", "number")
def exponential(value: Any) -> Decimal:
    """exp(number): e to the power of the number."""
    return NUMBER_CONTEXT.exp(number(value))


@functions("odd", "number")
def odd(value: Any) -> bool:
    """odd(number): null for a number that is not whole."""
    return integer(value) % 2 == 1


@functions("even", "number")
def even(value: Any) -> bool:
    """even(number): null for a number that is not whole."""
    return integer(value) % 2 == 0


FUNCTIONS = functions.functions
