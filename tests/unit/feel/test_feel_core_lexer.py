"""The FEEL lexer: numbers, strings and their escapes, words, symbols, comments (DMN 1.5 §10.3.1.2)."""

from __future__ import annotations

import re

import pytest

from feel.errors import FeelError
from feel.lexer import tokenize


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(token.kind, token.text) for token in tokenize(text)][:-1]


def test_a_range_is_not_read_as_a_decimal_point() -> None:
    assert _kinds("1..10") == [("number", "1"), ("symbol", ".."), ("number", "10")]
    assert _kinds(".5 + 1.25") == [("number", ".5"), ("symbol", "+"), ("number", "1.25")]


def test_longest_symbols_win() -> None:
    assert _kinds("a**b<=c>=d!=e->f") == [
        ("word", "a"), ("symbol", "**"), ("word", "b"), ("symbol", "<="), ("word", "c"), ("symbol", ">="),
        ("word", "d"), ("symbol", "!="), ("word", "e"), ("symbol", "->"), ("word", "f"),
    ]  # fmt: skip


def test_keywords_are_told_from_words() -> None:
    assert _kinds("if x then y else null") == [
        ("keyword", "if"), ("word", "x"), ("keyword", "then"), ("word", "y"), ("keyword", "else"), ("keyword", "null"),
    ]  # fmt: skip


def test_an_apostrophe_belongs_to_its_word_and_chinese_words_are_words() -> None:
    assert _kinds("Applicant's age") == [("word", "Applicant's"), ("word", "age")]
    assert _kinds("案件 等级") == [("word", "案件"), ("word", "等级")]
    assert _kinds("Applicant’s नमस्ते") == [("word", "Applicant’s"), ("word", "नमस्ते")]  # combining marks


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"a\"b"', 'a"b'),
        (r'"back\\slash"', "back\\slash"),
        (r'"line\nbreak\ttab"', "line\nbreak\ttab"),
        (r'"\u0041BC"', "ABC"),
        (r'"\U01F40E"', "\U0001f40e"),
        (r'"\ud83d\udc0e"', "\U0001f40e"),  # a UTF-16 surrogate pair is one character
        ('"中文"', "中文"),
        # another escape is kept as written, so the spec's split("John Doe", "\s") hands \s to the pattern
        (r'"\s+\d"', "\\s+\\d"),
    ],
)
def test_string_escapes(literal: str, value: str) -> None:
    assert tokenize(literal)[0].text == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"never closed', "unterminated string"),
        ('"ends in a backslash\\', "unterminated string"),
        (r'"\u00G1"', r"bad \u escape"),
        ("1 /* open", "unterminated comment"),
        ("1 # 2", "unexpected character"),
    ],
)
def test_lexical_errors_name_the_problem_and_place(text: str, message: str) -> None:
    with pytest.raises(FeelError, match=re.escape(message)) as caught:
        tokenize(text)
    assert caught.value.position is not None
    assert "line 1" in str(caught.value)


def test_comments_are_skipped_and_whitespace_is_remembered() -> None:
    tokens = tokenize("1 // the rest\n+ /* inline */ 2")
    assert [(t.kind, t.text) for t in tokens][:-1] == [("number", "1"), ("symbol", "+"), ("number", "2")]
    assert tokens[1].spaced and tokens[2].spaced
    assert tokens[-1].kind == "end"
