"""String literals and the regular-expression built-ins as the DMN 1.5 spec's own examples use them (§10.3.4.3,
Table 70): a backslash that starts none of the grammar's escapes is kept, so a pattern reaches the expression
engine as written."""

from __future__ import annotations

import pytest

import feel


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('split("John Doe", "\\s")', ["John", "Doe"]),
        ('split("a;b;c;;", ";")', ["a", "b", "c", "", ""]),
        ('matches("abc123", "\\d+")', True),
        ('replace("abc", "b", "\\$")', "a$c"),
        ('string length("\\s")', 2),
        ('"\\"quoted\\""', '"quoted"'),
    ],
)
def test_spec_examples(expression: str, expected: object) -> None:
    assert feel.evaluate(expression, {}) == expected


def test_a_backslash_at_the_end_leaves_the_string_unterminated() -> None:
    with pytest.raises(feel.FeelError, match="unterminated string"):
        feel.evaluate('"abc\\', {})
