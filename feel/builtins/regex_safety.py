"""How much a regular expression may cost: Python's matcher backtracks and cannot be interrupted, so a pattern is
judged before it runs (standard library only).

Refused outright (exponential backtracking): a repeated group that holds a repetition (``(a+)+``, ``(.*a){20}``)
and a repeated group whose alternatives can start alike (``(a|aa)*``). Bounded instead (polynomial
backtracking): with k unbounded repetitions a search may take about n^(k+1) steps on an input of n characters
(n^k when anchored at the start), so the input may be at most ``EFFORT ** (1 / exponent)`` characters —
10,000 for ``\\s+``, 464 for ``(.*)(.*)x``, 100,000 for a literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

EFFORT = 100_000_000  # backtracking steps allowed for one match (about half a second of CPU)
MAX_INPUT = 100_000  # characters of input any regular expression may scan
_WIDE = 10  # a {n,m} repetition with m - n above this counts as unbounded


class RegexRefused(ValueError):
    """The pattern or its flags are not a valid (or not a safe) XPath regular expression."""


def _outside_classes(pattern: str) -> Iterator[tuple[int, str]]:
    """(index, character) of the pattern's syntax outside character classes, escapes skipped."""
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        else:
            yield index, char
        index += 1


def _repetition_at(pattern: str, index: int) -> str:
    """ "unbounded", "bounded" or "" for the quantifier (if any) starting at ``index``."""
    char = pattern[index : index + 1]
    if char in ("*", "+"):
        return "unbounded"
    found = re.match(r"\{(\d+)(,(\d*))?\}", pattern[index:])
    if found is None:
        return ""
    if found[2] and (not found[3] or int(found[3]) - int(found[1]) > _WIDE):
        return "unbounded"
    return "bounded"


def _alternatives_overlap(body: str, ignore_case: bool) -> bool:
    """Whether a group's top-level alternatives may start with the same character (or with any at all)."""
    starts: list[str] = []
    depth, last = 0, 0
    for index, char in [*_outside_classes(body), (len(body), "|")]:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            starts.append(body[last:index][:1])  # "" for an empty alternative
            last = index + 1
    if len(starts) < 2:
        return False
    if ignore_case:
        starts = [start.casefold() for start in starts]
    return any(not start or start in ".\\[(^$" for start in starts) or len(set(starts)) < len(starts)


def check(pattern: str, ignore_case: bool = False) -> None:
    """RegexRefused for a pattern that could backtrack exponentially (``ignore_case``: the i flag is set)."""
    stack: list[tuple[int, bool]] = []  # (where the group opened, whether an outer level held a repetition)
    inner = False
    for index, char in _outside_classes(pattern):
        if char == "(":
            stack.append((index, inner))
            inner = False
        elif char == ")" and stack:
            start, outer = stack.pop()
            repetition = _repetition_at(pattern, index + 1)
            if repetition and inner:
                raise RegexRefused("a repeated group holding a repetition (catastrophic backtracking)")
            if repetition == "unbounded" and _alternatives_overlap(pattern[start + 1 : index], ignore_case):
                raise RegexRefused("a repeated group whose alternatives can start alike (catastrophic backtracking)")
            inner = outer or inner or repetition == "unbounded"
        elif _repetition_at(pattern, index) == "unbounded":
            inner = True


def input_limit(pattern: str) -> int:
    """The longest input the pattern may scan within ``EFFORT`` steps of backtracking."""
    repetitions = sum(1 for index, _ in _outside_classes(pattern) if _repetition_at(pattern, index) == "unbounded")
    exponent = repetitions if pattern.startswith("^") else repetitions + 1
    return min(MAX_INPUT, int(EFFORT ** (1 / max(1, exponent))))
