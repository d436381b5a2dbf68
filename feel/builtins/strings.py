"""String built-ins (DMN 1.5 §10.3.4.3), in Unicode code points (a Python ``str`` is one code point a character).

``matches``, ``replace`` and ``split`` take XPath regular expressions (``feel.builtins.regex``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from feel.builtins._registry import Registry, a_list, number, text
from feel.builtins.regex import compile_xpath, replacement

functions = Registry()


@functions("substring", "string", "start position", "length")
def substring(string: Any, start: Any, length: Any = None) -> Any:
    """substring(string, start position, length?): 1-based; a negative start counts from the end.

    Fractional positions and lengths are truncated (``substring("foobar", 3, 3.8)`` is "oba"); a start of 0 or
    beyond either end, or a negative length, is null.
    """
    value, first = text(string), int(number(start))
    size = len(value)
    begin = first - 1 if first > 0 else size + first
    if first == 0 or not 0 <= begin < max(size, 1):
        return None
    if length is None:
        return value[begin:]
    count = int(number(length))
    return None if count < 0 else value[begin : begin + count]


@functions("string length", "string")
def string_length(string: Any) -> Decimal:
    """string length(string): the number of code points."""
    return Decimal(len(text(string)))


@functions("upper case", "string")
def upper_case(string: Any) -> str:
    """upper case(string)."""
    return text(string).upper()


@functions("lower case", "string")
def lower_case(string: Any) -> str:
    """lower case(string)."""
    return text(string).lower()


@functions("substring before", "string", "match")
def substring_before(string: Any, match: Any) -> str:
    """substring before(string, match): the text before the first match ("" when absent)."""
    value, found = text(string), text(match)
    index = value.find(found)
    return "" if index < 0 else value[:index]


@functions("substring after", "string", "match")
def substring_after(string: Any, match: Any) -> str:
    """substring after(string, match): the text after the first match ("" when absent)."""
    value, found = text(string), text(match)
    index = value.find(found)
    return "" if index < 0 else value[index + len(found) :]


@functions("contains", "string", "match")
def contains(string: Any, match: Any) -> bool:
    """contains(string, match)."""
    return text(match) in text(string)


@functions("starts with", "string", "match")
def starts_with(string: Any, match: Any) -> bool:
    """starts with(string, match)."""
    return text(string).startswith(text(match))


@functions("ends with", "string", "match")
def ends_with(string: Any, match: Any) -> bool:
    """ends with(string, match)."""
    return text(string).endswith(text(match))


def _flags(flags: Any) -> str:
    return "" if flags is None else text(flags)


@functions("matches", "input", "pattern", "flags")
def matches(source: Any, pattern: Any, flags: Any = None) -> bool:
    """matches(input, pattern, flags?): whether the XPath regular expression matches somewhere in the input."""
    compiled = compile_xpath(text(pattern), _flags(flags))
    return compiled.regex.search(compiled.bounded(text(source))) is not None


@functions("replace", "input", "pattern", "replacement", "flags")
def replace(source: Any, pattern: Any, template: Any, flags: Any = None) -> str:
    """replace(input, pattern, replacement, flags?): every match replaced (``$1`` names a group)."""
    options = _flags(flags)
    compiled = compile_xpath(text(pattern), options)
    if compiled.regex.fullmatch(""):
        raise ValueError("a pattern that matches the empty string cannot be replaced (XPath FORX0003)")
    template_text = replacement(text(template), options, compiled.regex.groups)
    return compiled.regex.sub(template_text, compiled.bounded(text(source)))


@functions("split", "string", "delimiter")
def split(string: Any, delimiter: Any) -> list[str]:
    """split(string, delimiter): the parts between matches of the delimiter (an XPath regular expression)."""
    compiled = compile_xpath(text(delimiter))
    if compiled.regex.fullmatch(""):
        raise ValueError("a delimiter that matches the empty string")
    value = compiled.bounded(text(string))
    parts: list[str] = []
    start = 0
    for found in compiled.regex.finditer(value):
        parts.append(value[start : found.start()])
        start = found.end()
    parts.append(value[start:])
    return parts


@functions("string join", "list", "delimiter")
def string_join(items: Any, delimiter: Any = None) -> str:
    """string join(list, delimiter?): the strings joined (nulls skipped); any other item makes it null."""
    values = a_list(items)
    if any(item is not None and not isinstance(item, str) for item in values):
        raise TypeError("string join takes strings")
    return ("" if delimiter is None else text(delimiter)).join(item for item in values if item is not None)


FUNCTIONS = functions.functions
