"""The Python text of a parsed JUEL expression (``engine.bpmn.juel`` parses), parenthesized by Python's precedence.

The tree is tuples: ``("lit", value)``, ``("name", n)``, ``("get"|"index", base, key)``, ``("neg", x)``,
``("!"|"empty", x)``, ``(op, left, right)`` for comparisons, ``&&``/``||`` and arithmetic, and
``("if", condition, then, otherwise)``. Arithmetic is written as Python's operators (``div`` as ``/``, ``mod`` as
``%``): JUEL coerces strings and null to numbers first, Python does not (docs/designer.md says what that means).
"""

from __future__ import annotations

import keyword
from typing import Any

WRITE_INSTEAD = ("write the condition as a Python expression over the case data, e.g. "
                 "amount > 1000 and status == 'open'")
_COMPARE = {"==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_ARITHMETIC = {"+": "+", "-": "-", "*": "*", "/": "/", "div": "/", "%": "%", "mod": "%"}
_EMPTY_VALUES = "(None, '', [], {})"
# Python precedence levels of what the emitter writes (higher binds tighter).
_TERNARY, _OR, _AND, _NOT, _COMPARISON, _ADD, _MUL, _UNARY, _ATOM = 0, 1, 2, 3, 4, 5, 6, 7, 9


class JuelError(ValueError):
    """A JUEL expression outside the translated subset; the message says why and what to write instead."""


def emit(node: tuple[Any, ...]) -> str:
    """The Python expression for the parsed JUEL ``node``; JuelError for a name Python cannot use."""
    return _emit(node)[0]


def _emit(node: tuple[Any, ...]) -> tuple[str, int]:
    """Python text for ``node`` and its precedence (children are parenthesized by Python's rules)."""
    kind = node[0]
    if kind == "lit":  # None, True, False, numbers and quoted strings: Python's repr is the literal
        negative = isinstance(node[1], int | float) and not isinstance(node[1], bool) and node[1] < 0
        return repr(node[1]), _UNARY if negative else _ATOM
    if kind == "name":
        return _name(node[1]), _ATOM
    if kind in ("get", "index"):
        return _access(node), _ATOM
    if kind == "neg":
        operand = _operand(node[1], _UNARY)
        return f"-{' ' if operand.startswith('-') else ''}{operand}", _UNARY  # - -a, not --a
    if kind in _ARITHMETIC:
        level = _ADD if kind in ("+", "-") else _MUL
        # left-associative in both languages: a - b - c is (a - b) - c; a - (b - c) keeps its parentheses
        return f"{_operand(node[1], level)} {_ARITHMETIC[kind]} {_operand(node[2], level + 1)}", level
    return _emit_operator(node)


def _access(node: tuple[Any, ...]) -> str:
    # A property of a map is read with .get: JUEL gives null for a missing key, as dict.get gives None.
    key = node[2]
    if key[0] == "lit" and isinstance(key[1], str):
        return f"{_operand(node[1], _ATOM)}.get({key[1]!r})"
    return f"{_operand(node[1], _ATOM)}[{_emit(key)[0]}]"


def _emit_operator(node: tuple[Any, ...]) -> tuple[str, int]:
    kind = node[0]
    if kind == "!" and node[1][0] == "empty":
        return f"{_operand(node[1][1], _COMPARISON + 1)} not in {_EMPTY_VALUES}", _COMPARISON
    if kind == "!":  # not (a == b) rather than not a == b: the same in Python, but read as JUEL wrote it
        return f"not {_operand(node[1], _COMPARISON + 1)}", _NOT
    if kind == "empty":  # JUEL's empty: null, an empty string, list or map (0 and false are not empty)
        return f"{_operand(node[1], _COMPARISON + 1)} in {_EMPTY_VALUES}", _COMPARISON
    if kind in ("||", "&&"):
        level, word = (_OR, "or") if kind == "||" else (_AND, "and")
        return f"{_operand(node[1], level)} {word} {_operand(node[2], level + 1)}", level
    if kind in _COMPARE:
        return _comparison(kind, node[1], node[2]), _COMPARISON
    condition, then, otherwise = node[1], node[2], node[3]
    return (f"{_operand(then, _OR)} if {_operand(condition, _OR)} else {_operand(otherwise, _TERNARY)}",
            _TERNARY)


def _comparison(op: str, left: tuple[Any, ...], right: tuple[Any, ...]) -> str:
    # JUEL does not chain comparisons (a < b < c is (a < b) < c), so every operand that is itself a
    # comparison is parenthesized; a comparison with null is an identity test in Python.
    if op in ("==", "!=") and (left == ("lit", None) or right == ("lit", None)):
        other = right if left == ("lit", None) else left
        return f"{_operand(other, _COMPARISON + 1)} {'is' if op == '==' else 'is not'} None"
    return f"{_operand(left, _COMPARISON + 1)} {_COMPARE[op]} {_operand(right, _COMPARISON + 1)}"


def _operand(node: tuple[Any, ...], minimum: int) -> str:
    text, precedence = _emit(node)
    return text if precedence >= minimum else f"({text})"


def _name(name: str) -> str:
    if keyword.iskeyword(name) or name.startswith("_") or "$" in name:
        raise JuelError(f"uses the variable {name!r}, which cannot be a Python name; rename the variable "
                        "(letters, digits and '_', not starting with '_', no Python keyword)")
    if name in ("execution", "task", "authenticatedUserId"):
        raise JuelError(f"reads {name!r}, an object of the Camunda/Flowable engine that gridcase does not have; "
                        + WRITE_INSTEAD)
    return name
