"""XPath/XQuery regular expressions (as FEEL's ``matches``, ``replace`` and ``split`` use them) in Python's ``re``.

The translation keeps XPath's meaning where the two differ (``$`` only at the very end, ``.`` matching neither
newline nor carriage return, character-class subtraction ``[A-Z-[OI]]``, the ``x`` flag dropping whitespace
before the pattern is read, the ``q`` flag, ``$1`` in replacements) and refuses what XPath does not allow or
Python would read differently (``(?…)`` groups, back-references inside a class, ``\\0``, unknown ``\\p{…}``
blocks): a refused pattern makes the function null. Python's matcher cannot be interrupted, so what a pattern
may cost is judged before it runs (``feel.builtins.regex_safety``: exponential patterns refused, the input
bounded by the pattern's repetitions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from feel import budget
from feel.builtins.regex_safety import MAX_INPUT, RegexRefused, check, input_limit

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


@dataclass(frozen=True)
class XPathPattern:
    """A translated pattern and the longest input it may scan safely (``feel.builtins.regex_safety``)."""

    regex: re.Pattern[str]
    max_input: int

    def bounded(self, text: str) -> str:
        """``text``, counted against the evaluation budget; RegexRefused when too long to scan safely."""
        if len(text) > self.max_input:
            raise RegexRefused(f"the input is longer than the {self.max_input:,} characters this pattern may scan")
        budget.tick(1 + len(text) // 64)
        return text


@lru_cache(maxsize=256)
def compile_xpath(pattern: str, flags: str = "") -> XPathPattern:
    """The Python pattern of an XPath regular expression and flags (``s``, ``m``, ``i``, ``x``, ``q``)."""
    if len(pattern) > MAX_PATTERN:
        raise RegexRefused("the pattern is too long")
    if any(flag not in "smixq" for flag in flags):
        raise RegexRefused(f"unknown regular expression flags {flags!r}")
    options = re.IGNORECASE if "i" in flags else 0
    if "q" in flags:
        return XPathPattern(re.compile(re.escape(pattern), options), MAX_INPUT)
    if "x" in flags:
        pattern = _strip_whitespace(pattern)
    if "(?" in pattern:
        raise RegexRefused("(?…) groups are not XPath")
    check(pattern, ignore_case="i" in flags)
    translated = _translate(pattern, dot_all="s" in flags)
    if "m" in flags:
        options |= re.MULTILINE
        translated = translated.replace(_END, "$")
    try:
        regex = re.compile(translated, options | (re.DOTALL if "s" in flags else 0))
    except re.error as error:
        raise RegexRefused(str(error)) from error
    return XPathPattern(regex, input_limit(pattern))


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
