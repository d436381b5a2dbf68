"""FEEL, the expression language of DMN 1.5 (chapter 10), evaluated by gridcase's own parser and evaluator.

Pure Python (the standard library only). Expressions are parsed once into an AST and compiled to Python
closures (never ``eval``/``exec`` of translated text); compilation is cached per text and names in scope.

    compiled = feel.compile_expression("Monthly Salary * 12", names=frozenset({"Monthly Salary"}))
    compiled.evaluate({"Monthly Salary": Decimal(1000)})

Values follow ``feel.values`` (numbers are Decimal; see its docstring). Errors inside an expression give null
(``None``), as the spec says; syntax errors raise ``feel.errors.FeelError``; ``with feel.budget.limit(...)``
bounds an evaluation's CPU time and steps (``FeelBudgetExceeded``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from feel import budget, types, values
from feel.errors import FeelBudgetExceeded, FeelError
from feel.evaluator import compile_node
from feel.parser import parse_expression
from feel.parser_unary import parse_unary_tests
from feel.scope import Scope
from feel.unary import compile_tests
from feel.values import from_python

__all__ = [
    "Compiled",
    "CompiledTests",
    "FeelBudgetExceeded",
    "FeelError",
    "budget",
    "compile_expression",
    "compile_unary_tests",
    "evaluate",
    "types",
    "values",
]


def _guarded(what: str, text: str, action: Callable[[], Any]) -> Any:
    try:
        return action()
    except RecursionError:
        # nesting the parser's own limit let through, or user functions deep enough to exhaust Python's stack
        raise FeelBudgetExceeded(f"{what} nests too deeply: {text[:60]!r}") from None


class Compiled:
    """A compiled FEEL expression; ``evaluate`` may be called any number of times, from any thread."""

    __slots__ = ("_run", "text")

    def __init__(self, text: str, run: Callable[[Scope], Any]) -> None:
        self.text = text
        self._run = run

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """The expression's value with the names of ``context`` in scope (FEEL values in and out)."""
        scope = Scope(context)
        return _guarded("the evaluation", self.text, lambda: self._run(scope))

    def __repr__(self) -> str:
        return f"Compiled({self.text!r})"


class CompiledTests:
    """Compiled unary tests (a decision table's input entry)."""

    __slots__ = ("_matches", "text")

    def __init__(self, text: str, matches: Callable[[Any, Scope], bool]) -> None:
        self.text = text
        self._matches = matches

    def matches(self, input_value: Any, context: Mapping[str, Any]) -> bool:
        """True when ``input_value`` (a FEEL value; ``?`` in the tests) satisfies the tests in ``context``."""
        scope = Scope(context)
        return bool(_guarded("the unary tests", self.text, lambda: self._matches(input_value, scope)))

    def __repr__(self) -> str:
        return f"CompiledTests({self.text!r})"


@functools.lru_cache(maxsize=8192)
def compile_expression(text: str, *, names: frozenset[str] = frozenset()) -> Compiled:
    """Compile a FEEL expression; ``names`` are the multi-word names in scope. FeelError on a syntax error."""
    if not isinstance(text, str):
        raise FeelError(f"a FEEL expression is text, not {type(text).__name__}")
    run = _guarded("the expression", text, lambda: _compile(text, names))
    return Compiled(text, run)


def _compile(text: str, names: frozenset[str]) -> Callable[[Scope], Any]:
    try:
        return compile_node(parse_expression(text, names))
    except RecursionError:
        raise FeelError("the expression is nested too deeply", text=text, position=0) from None


@functools.lru_cache(maxsize=8192)
def compile_unary_tests(text: str, *, names: frozenset[str] = frozenset()) -> CompiledTests:
    """Compile FEEL unary tests (``< 5``, ``[1..10)``, ``"a", "b"``, ``not(...)``, ``-``, any expression)."""
    if not isinstance(text, str):
        raise FeelError(f"unary tests are text, not {type(text).__name__}")
    try:
        matches = compile_tests(parse_unary_tests(text, names))
    except RecursionError:
        raise FeelError("the unary tests are nested too deeply", text=text, position=0) from None
    return CompiledTests(text, matches)


def evaluate(text: str, context: Mapping[str, Any] | None = None) -> Any:
    """Compile (cached) and evaluate ``text``; ``context`` may hold plain Python values (converted on entry)
    and its keys with spaces or symbols are the names in scope."""
    values = from_python(dict(context or {}))
    names = frozenset(key for key in values if not key.isidentifier())
    return compile_expression(text, names=names).evaluate(values)
