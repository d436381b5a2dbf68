"""XPath/XQuery regular expressions (as FEEL's ``matches``, ``replace`` and ``split`` use them) in Python's ``re``.

The translation keeps XPath's meaning where the two differ (``$`` only at the very end, ``.`` matching neither
newline nor carriage return, character-class subtraction ``[A-Z-[OI]]``, the ``x`` flag dropping whitespace
before the pattern is read, the ``q`` flag, ``$1`` in replacements) and refuses what XPath does not allow or
Python would read differently (``(?…)`` groups, back-references inside a class, ``\\0``, unknown ``\\p{…}``
blocks): a refused pattern makes the function null. Python's matcher backtracks and cannot be
interrupted, so patterns with a quantified group that itself holds an unbounded quantifier (``(a+)+``, the
classic catastrophic case) are refused, and inputs and patterns are bounded in size.
"""

from __future__ import annotations

import re
from functools import lru_cache

from feel import budget

MAX_INPUT = 100_000  # characters of input a regular expression may scan
MAX_PATTERN = 1_000  # characters of pattern
_CATEGORIES = {
    "Lu": "A-Z\u00c0-\u00d6\u00d8-\u00de",
    "Ll": "a-z\u00df-\u00f6\u00f8-\u00ff",
    "N": r"\d",
    "Nd": r"\d",
    "P": r"!-/:-@\[-`{-~\u00a1-\u00bf",
    "Z": r"\s",
    "Zs": " \u00a0\u3000",
    "IsBasicLatin": "\u0000-\u007f",
    "IsLatin-1Supplement": "\u0080-\u00ff",
    "IsCJKUnifiedIdeographs": "\u4e00-\u9fff",
}


class RegexRefused(ValueError):
    """The pattern or its flags are not a valid (or not a safe) XPath regular expression."""


def _category(name: str, negated: bool, in_class: bool) -> str:
    if name == "L":  # letters: Unicode word characters that are neither digits nor the underscore
        if in_class:
            raise RegexRefused("\\p{L} inside a character class")
        return r"[\W\d_]" if negated else r"[^\W\d_]"
    body = _CATEGORIES.get(name)
    if body is None:
        raise RegexRefused(f"unknown character category \\p{{{name}}}")
    if in_class:
        if negated:
            raise RegexRefused("\\P{…} inside a character class")
        return body
    return f"[{'^' if negated else ''}{body}]"


def _check_nesting(pattern: str) -> None:
    """Refuse a quantified group containing an unbounded quantifier (exponential backtracking)."""
    stack: list[bool] = []
    inner = False
    index, escaped, in_class = 0, False, False
    while index < len(pattern):
        char = pattern[index]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            stack.append(inner)
            inner = False
        elif char == ")" and stack:
            quantified = pattern[index + 1 : index + 2] in ("*", "+", "{")
            if quantified and inner:
                raise RegexRefused("a repeated group holding a repetition (catastrophic backtracking)")
            inner = stack.pop() or inner
        elif char in "*+" or (char == "{" and re.match(r"\{\d+,\}", pattern[index:])):
            inner = True
        index += 1


_END = r"(?:$(?![\s\S]))"  # XPath's $ is the very end of the input (with the m flag: of a line)
_SUBTRACTION = re.compile(r"\[(\^?)((?:\\.|[^\[\]\\])*)-\[((?:\\.|[^\[\]\\])*)\]\]")


def _strip_whitespace(pattern: str) -> str:
    """The x flag: whitespace outside character classes is removed before the pattern is read (even after \\)."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if char in " \t\n\r" and not in_class:
            continue
        out.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
    return "".join(out)


def _escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    """The Python text of the escape at ``index`` (a backslash) and how many characters it used."""
    following = pattern[index + 1] if index + 1 < len(pattern) else ""
    category = re.match(r"[pP]\{([A-Za-z0-9\-]+)\}", pattern[index + 1 :])
    if category:
        return _category(category[1], following == "P", in_class), 1 + len(category[0])
    if following in ("i", "c", ""):
        raise RegexRefused("\\i, \\c or a trailing backslash")
    if following.isdigit() and (in_class or following == "0"):
        raise RegexRefused("a back-reference in a character class, or \\0")
    return pattern[index : index + 2], 2


def _translate(pattern: str, dot_all: bool) -> str:
    """XPath syntax as Python's: categories, ``.`` without CR/LF, ``$`` at the very end, class subtraction."""
    pattern = _SUBTRACTION.sub(lambda found: f"(?:(?![{found[3]}])[{found[1]}{found[2]}])", pattern)
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            text, used = _escape(pattern, index, in_class)
            out.append(text)
            index += used
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = _END
        elif char == "." and not dot_all:
            char = "[^\\n\\r]"  # XPath's . matches neither newline nor carriage return
        out.append(char)
        index += 1
    return "".join(out)


@lru_cache(maxsize=256)
def compile_xpath(pattern: str, flags: str = "") -> re.Pattern[str]:
    """The Python pattern of an XPath regular expression and flags (``s``, ``m``, ``i``, ``x``, ``q``)."""
    if len(pattern) > MAX_PATTERN:
        raise RegexRefused("the pattern is too long")
    if any(flag not in "smixq" for flag in flags):
        raise RegexRefused(f"unknown regular expression flags {flags!r}")
    options = re.IGNORECASE if "i" in flags else 0
    if "q" in flags:
        return re.compile(re.escape(pattern), options)
    if "x" in flags:
        pattern = _strip_whitespace(pattern)
    if "(?" in pattern:
        raise RegexRefused("(?…) groups are not XPath")
    _check_nesting(pattern)
    translated = _translate(pattern, dot_all="s" in flags)
    if "m" in flags:
        options |= re.MULTILINE
        translated = translated.replace(_END, "$")
    try:
        return re.compile(translated, options | (re.DOTALL if "s" in flags else 0))
    except re.error as error:
        raise RegexRefused(str(error)) from error


def bounded(text: str) -> str:
    """``text``, counted against the evaluation budget; RegexRefused when too long to scan safely."""
    if len(text) > MAX_INPUT:
        raise RegexRefused("the input is too long for a regular expression")
    budget.tick(1 + len(text) // 64)
    return text


def replacement(template: str, flags: str, groups: int) -> str:
    """An XPath replacement (``$1``, ``\\$``, ``\\\\``) as a Python one; RegexRefused for a stray ``$`` or ``\\``.

    As in XPath, ``$12`` with fewer than 12 groups is group 1 and a "2"; a group the pattern lacks is empty.
    """
    if "q" in flags:
        return template.replace("\\", "\\\\")
    out: list[str] = []
    index = 0
    while index < len(template):
        char = template[index]
        if char == "\\":
            if index + 1 >= len(template) or template[index + 1] not in "\\$":
                raise RegexRefused("a backslash in a replacement must escape \\ or $")
            out.append("\\\\" if template[index + 1] == "\\" else "$")
            index += 2
        elif char == "$":
            match = re.match(r"\$(\d+)", template[index:])
            if match is None:
                raise RegexRefused("a $ in a replacement must name a group")
            digits = match[1]
            while len(digits) > 1 and int(digits) > groups:
                digits = digits[:-1]
            if int(digits) <= groups:
                out.append(f"\\g<{digits}>")
            index += 1 + len(digits)
        else:
            out.append(char)
            index += 1
    return "".join(out)
