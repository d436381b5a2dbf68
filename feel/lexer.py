"""The FEEL lexer: text → tokens (DMN 1.5 §10.3.1.2, standard library only).

Names with spaces cannot be told apart by a lexer alone (``Monthly Salary``, ``date and time``), so the lexer
yields single words and symbols with their positions and whether whitespace came before them; the parser joins
words into names (``feel.parser``). A ``'`` belongs to the word it stands in (``Applicant's``): it has no other
use in FEEL. Comments (``// …`` and ``/* … */``) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from feel.errors import FeelError

KEYWORDS = frozenset(
    {
        "true", "false", "null", "and", "or", "if", "then", "else", "for", "in", "return", "some", "every",
        "satisfies", "between", "instance", "of", "function", "external",
    }
)  # fmt: skip

# longest first, so "**" wins over "*", "<=" over "<", "..." over ".." over "."
_SYMBOLS = ("...", "..", "**", "<=", ">=", "!=", "->", "+", "-", "*", "/", "=", "<", ">", "(", ")", "[", "]", "{", "}",
            ",", ":", ".", "?", "@")  # fmt: skip

_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)")
# a name part: letters, digits, _, combining marks (Devanagari vowel signs, accents written apart), ' and ’;
# the grammar's NameStartChar also takes every supplementary-plane character [#x10000-#xEFFFF] (emoji: {🐎: 1})
_WORD = re.compile(
    r"(?:[^\W\d]|[\U00010000-\U000EFFFF])"
    r"(?:[\w'\u2019\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f"
    r"\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u203f\u2040]|[\U00010000-\U000EFFFF])*"
)
_SPACE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.DOTALL)
_UNTERMINATED_COMMENT = re.compile(r"/\*")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is "number", "string", "word", "keyword", "symbol" or "end"."""

    kind: str
    text: str  # the word, symbol or number as written; a string literal's value (escapes resolved)
    start: int
    end: int
    spaced: bool  # whitespace (or a comment) before this token

    def is_symbol(self, *symbols: str) -> bool:
        """True when this token is one of the given symbols."""
        return self.kind == "symbol" and self.text in symbols

    def is_keyword(self, *words: str) -> bool:
        """True when this token is one of the given keywords."""
        return self.kind == "keyword" and self.text in words


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an "end" token; FeelError on a character FEEL does not know."""
    tokens: list[Token] = []
    position, length = 0, len(text)
    while True:
        spaced = False
        space = _SPACE.match(text, position)
        if space:
            position, spaced = space.end(), True
        if position >= length:
            tokens.append(Token("end", "", length, length, spaced))
            return tokens
        token = _next_token(text, position, spaced)
        tokens.append(token)
        position = token.end


def _next_token(text: str, position: int, spaced: bool) -> Token:
    char = text[position]
    if char == '"':
        value, end = _string(text, position)
        return Token("string", value, position, end, spaced)
    number = _NUMBER.match(text, position)
    if number:
        return Token("number", number.group(), position, number.end(), spaced)
    word = _WORD.match(text, position)
    if word:
        kind = "keyword" if word.group() in KEYWORDS else "word"
        return Token(kind, word.group(), position, word.end(), spaced)
    if _UNTERMINATED_COMMENT.match(text, position):
        raise FeelError("unterminated comment", text=text, position=position)
    for symbol in _SYMBOLS:
        if text.startswith(symbol, position):
            return Token("symbol", symbol, position, position + len(symbol), spaced)
    raise FeelError(f"unexpected character {char!r}", text=text, position=position)


_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _string(text: str, start: int) -> tuple[str, int]:
    """The value of the string literal starting at ``start`` (on its quote), and the position after it."""
    parts: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return _join_surrogates("".join(parts)), position + 1
        if char != "\\":
            parts.append(char)
            position += 1
            continue
        escape = text[position + 1 : position + 2]
        if escape in _ESCAPES:
            parts.append(_ESCAPES[escape])
            position += 2
        elif escape in ("u", "U"):
            digits = 4 if escape == "u" else 6
            code = text[position + 2 : position + 2 + digits]
            if len(code) != digits or not all(c in "0123456789abcdefABCDEF" for c in code) or int(code, 16) > 0x10FFFF:
                raise FeelError(f"bad \\{escape} escape in a string", text=text, position=position)
            parts.append(chr(int(code, 16)))
            position += 2 + digits
        elif escape:
            # not one of the grammar's escapes: kept as written, backslash and all, so a pattern such as
            # split("John Doe", "\s") (the spec's own example) reaches the regular expression intact
            parts.append("\\" + escape)
            position += 2
        else:
            break
    raise FeelError("unterminated string", text=text, position=start)


def _join_surrogates(value: str) -> str:
    # "\ud83d\udc0e" is one character (a horse) written as a UTF-16 surrogate pair
    if not any("\ud800" <= char <= "\udfff" for char in value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
