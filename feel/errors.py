"""The errors of the FEEL language (pure: the standard library only).

Syntax errors and evaluation failures the caller must report are ``FeelError``; everything the DMN standard
calls an error *inside* an expression (a type mismatch, a division by zero, a missing name) is not an exception
but ``null`` — the evaluator turns those into ``None``. ``FeelBudgetExceeded`` ends a hostile evaluation.
"""

from __future__ import annotations


class FeelError(ValueError):
    """A FEEL expression could not be compiled or evaluated; names the offending text and position."""

    def __init__(self, message: str, *, text: str | None = None, position: int | None = None) -> None:
        self.message = message
        self.text = text
        self.position = position
        super().__init__(self._describe())

    def _describe(self) -> str:
        if self.text is None or self.position is None:
            return self.message
        line = self.text.count("\n", 0, self.position) + 1
        column = self.position - (self.text.rfind("\n", 0, self.position) + 1) + 1
        excerpt = self.text[max(0, self.position - 20) : self.position + 20].replace("\n", " ")
        return f"{self.message} (line {line}, column {column}, near {excerpt!r})"


class FeelBudgetExceeded(FeelError):
    """An evaluation used more CPU time, steps or call depth than its budget allows."""
