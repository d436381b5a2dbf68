"""How the built-in functions are declared: a registry per family, argument checks, errors made null.

The spec makes every misuse of a built-in (a wrong type, a wrong count, a value out of range) a null result, not
an error, so each registered implementation may simply raise ``TypeError``/``ValueError``/``ArithmeticError``
(or index/key errors) and its FeelFunction returns None. ``FeelBudgetExceeded`` always goes through.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from feel.errors import FeelBudgetExceeded
from feel.values import NUMBER_CONTEXT, VARIADIC, FeelFunction

Impl = Callable[..., Any]
_MISUSE = (TypeError, ValueError, ArithmeticError, IndexError, KeyError)


def _max_positional(impl: Impl) -> int | None:
    """How many positional arguments ``impl`` takes (None: any number, it has ``*args``)."""
    parameters = inspect.signature(impl).parameters.values()
    if any(parameter.kind is inspect.Parameter.VAR_POSITIONAL for parameter in parameters):
        return None
    return len(parameters)


def _required(impl: Impl) -> int:
    parameters = inspect.signature(impl).parameters.values()
    return sum(
        1
        for parameter in parameters
        if parameter.default is inspect.Parameter.empty and parameter.kind is not inspect.Parameter.VAR_POSITIONAL
    )


def make(name: str, params: tuple[str, ...], impl: Impl) -> FeelFunction:
    """A FeelFunction calling ``impl(*args)``; a wrong argument count or any misuse gives None."""
    most, least = _max_positional(impl), _required(impl)

    def call(args: list[Any]) -> Any:
        if len(args) < least or (most is not None and len(args) > most):
            return None
        try:
            return impl(*args)
        except FeelBudgetExceeded:
            raise
        except _MISUSE:
            return None

    return FeelFunction(params=params, call=call, name=name)


class Registry:
    """The built-ins of one family: ``@registry("string length", "string")`` above an implementation."""

    def __init__(self) -> None:
        self.functions: dict[str, FeelFunction] = {}

    def __call__(self, name: str, *params: str) -> Callable[[Impl], Impl]:
        """Register the decorated implementation as the built-in ``name`` with the spec's parameter names."""

        def register(impl: Impl) -> Impl:
            self.functions[name] = make(name, params, impl)
            return impl

        return register


def number(value: Any) -> Decimal:
    """``value`` as a FEEL number; TypeError for anything else (booleans included)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError("not a number")
    return value


def integer(value: Any) -> int:
    """A FEEL number that is a whole number, as an int; TypeError otherwise."""
    found = number(value)
    if found != found.to_integral_value():
        raise TypeError("not a whole number")
    return int(found)


def text(value: Any) -> str:
    """``value`` as a string; TypeError for anything else."""
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def a_list(value: Any) -> list[Any]:
    """``value`` as a list: a list itself, any other value as a singleton list (the spec's implicit conversion
    where a list is expected, DMN 1.5 §10.3.2.9.4); TypeError for null."""
    if value is None:
        raise TypeError("null where a list is expected")
    return value if isinstance(value, list) else [value]


def two_place_function(value: Any) -> FeelFunction:
    """A function of exactly two parameters (``precedes``, ``match``); TypeError for anything else."""
    if not isinstance(value, FeelFunction) or value.variadic or len(value.params) != 2:
        raise TypeError("a function of two parameters is expected")
    return value


def items_of(args: tuple[Any, ...]) -> list[Any]:
    """The items of a function taking either one list or the items themselves (``min([1, 2])``, ``min(1, 2)``)."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    if not args:
        raise TypeError("no items")
    return list(args)


def num(value: int | str | Decimal) -> Decimal:
    """A Decimal rounded into FEEL's number context."""
    return NUMBER_CONTEXT.plus(Decimal(value))


__all__ = [
    "VARIADIC",
    "Registry",
    "a_list",
    "integer",
    "items_of",
    "make",
    "num",
    "number",
    "text",
    "two_place_function",
]
