"""Names and strings beyond the Basic Multilingual Plane (DMN 1.5 §10.3.1.2, grammar rules 27–30): NameStartChar
takes [#x10000-#xEFFFF], so a supplementary character (an emoji) starts or continues a name; a string counts
characters (code points), as the spec's own example string length("\\U01F40Eab") = 3 does."""

from __future__ import annotations

import pytest

import feel


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('{🐎: "bar"}', {"🐎": "bar"}),
        ('{🐎: "😀"}.🐎', "😀"),
        ("{a🐎b: 1}.a🐎b", 1),
        ("{x: 1, 🐎x: 2}.🐎x", 2),
        ('string length("\\U01F40Eab")', 3),
        ('substring("\\U01F40Eab", 2)', "ab"),
        ('string length("\\ud83d\\udc0e")', 1),
    ],
)
def test_supplementary_characters(expression: str, expected: object) -> None:
    assert feel.evaluate(expression, {}) == expected


def test_a_name_bound_in_the_context_may_be_an_emoji() -> None:
    assert feel.evaluate("🐎 + 1", {"🐎": 41}) == 42


def test_a_symbol_that_is_no_name_is_still_refused() -> None:
    with pytest.raises(feel.FeelError, match="unexpected character"):
        feel.evaluate("1 § 2", {})
