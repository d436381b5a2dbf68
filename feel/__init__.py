"""FEEL, the expression language of DMN 1.5 (chapter 10), evaluated by gridcase's own parser and evaluator.

Pure Python (the standard library only). Expressions are parsed once into an AST and compiled to Python
closures (never ``eval``/``exec`` of translated text); compilation is cached per text and names in scope.

    compiled = feel.compile_expression('"Monthly Salary" * 12', names=frozenset({"Monthly Salary"}))
    compiled.evaluate({"Monthly Salary": Decimal(1000)})

Values follow ``feel.values`` (numbers are Decimal; see its docstring). Errors inside an expression give null
(``None``), as the spec says; syntax errors raise ``feel.errors.FeelError``; ``with feel.budget.limit(...)``
bounds an evaluation's CPU time (``FeelBudgetExceeded``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feel.errors import FeelBudgetExceeded, FeelError

__all__ = [
    "Compiled",
    "CompiledTests",
    "FeelBudgetExceeded",
    "FeelError",
    "compile_expression",
    "compile_unary_tests",
    "evaluate",
]


class Compiled:
    """A compiled FEEL expression."""

    def __init__(self, text: str) -> None:
        self.text = text

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """The expression's value in ``context`` (FEEL values in and out)."""
        raise NotImplementedError("the FEEL evaluator is being written")


class CompiledTests:
    """Compiled unary tests (a decision table's input entry)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def matches(self, input_value: Any, context: Mapping[str, Any]) -> bool:
        """True when ``input_value`` satisfies the tests in ``context``."""
        raise NotImplementedError("the FEEL evaluator is being written")


def compile_expression(text: str, *, names: frozenset[str] = frozenset()) -> Compiled:
    """Compile a FEEL expression; ``names`` are the multi-word names in scope. FeelError on a syntax error."""
    return Compiled(text)


def compile_unary_tests(text: str, *, names: frozenset[str] = frozenset()) -> CompiledTests:
    """Compile FEEL unary tests (``< 5``, ``[1..10)``, ``"a", "b"``, ``not(...)``, ``-``, any expression)."""
    return CompiledTests(text)


def evaluate(text: str, context: Mapping[str, Any]) -> Any:
    """Compile (cached) and evaluate ``text`` in ``context``; the names in scope are the context's keys."""
    return compile_expression(text, names=frozenset(key for key in context if " " in key)).evaluate(context)
