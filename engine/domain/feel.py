"""A small, pure FEEL subset: literals, names/dotted paths and DMN 1.3 simple unary tests.

Superseded by feel/dmn; kept for the before/after bench (``gridcase bench feel``) and its own tests.

Values: an integer literal becomes ``int``, one with a fraction ``float`` (never ``Decimal``; context values may
be int, float or Decimal; ``bool`` is not a number). Strings ``str``, ``true``/``false`` bool, ``null`` None, lists
``list``, ``date("…")`` ``datetime.date``, ``date and time("…")`` ``datetime.datetime``, ``time("…")``
``datetime.time``, ``duration("P2DT4H")`` ``datetime.timedelta`` (days-time only; ``P1Y`` is a FeelError).

Comparing values of different kinds (number vs string, date vs date and time, naive vs aware date-times…)
is simply *no match*, never an exception. A name missing from the context resolves to ``null`` (FEEL semantics).

Evaluation counts its work for ``engine.domain.feel_budget`` (CPU time); literals nested more than
``MAX_NESTING`` deep are refused, and equality walks nested lists without recursion, so hostile DMN or context
data fails with a FeelError or FeelBudgetExceeded, never a RecursionError.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from engine.domain.feel_budget import tick

Expr = Callable[[Mapping[str, Any]], Any]
Test = Callable[[Any, Mapping[str, Any]], bool]


class FeelError(ValueError):
    """A FEEL text gridcase cannot parse or evaluate; ``text`` is the offending text."""

    def __init__(self, message: str, text: str) -> None:
        shown = text if len(text) <= 200 else text[:200] + "…"  # a cell may be megabytes long
        super().__init__(f"{message}: {shown!r}")
        self.text = text


MAX_NESTING = 64  # list literals inside list literals; dmn-js tables use 1 or 2


_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>\d+(?:\.\d+)?|\.\d+)
    |(?P<name>date\s+and\s+time|[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\.\.|<=|>=|!=|[<>=\[\]\(\),.\-]))""",
    re.X,
)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}
_DURATION = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")
_KEYWORDS = {"true": True, "false": False, "null": None}
_PATH = re.compile(r"[A-Za-z_][\w ]*(?<! )(?:\s*\.\s*[A-Za-z_][\w ]*(?<! ))*")
_RESERVED = {"if", "then", "else", "for", "in", "return", "some", "every", "satisfies", "and", "or", "between"}
_ORDERED = {"number", "string", "date", "date and time", "time", "duration"}


def kind(value: Any) -> str:
    """The FEEL type name of a Python value (``"number"``, ``"date and time"``, ``"null"``…)."""
    for python_type, name in _KINDS:
        if isinstance(value, python_type):
            return name
    return "context" if isinstance(value, Mapping) else type(value).__name__


_KINDS: tuple[tuple[Any, str], ...] = (
    (type(None), "null"), (bool, "boolean"), (int | float | Decimal, "number"), (str, "string"),
    (dt.datetime, "date and time"), (dt.date, "date"), (dt.time, "time"),
    (dt.timedelta, "duration"), (list | tuple, "list"))


def feel_equal(left: Any, right: Any) -> bool:
    """FEEL ``=``: values of different kinds are never equal; ``null = null`` is true.

    Nested lists are compared with a stack, not recursion: context data may nest thousands of levels.
    """
    pairs = [(left, right)]
    while pairs:
        a, b = pairs.pop()
        a_kind = kind(a)
        if a_kind != kind(b):
            return False
        if a_kind == "list":
            if len(a) != len(b):
                return False
            tick(len(a))
            pairs.extend(zip(a, b, strict=True))
        elif a != b:
            return False
    return True


def feel_compare(left: Any, right: Any) -> int | None:
    """-1/0/1 for comparable values of one ordered kind, None when they cannot be compared."""
    left_kind = kind(left)
    if left_kind != kind(right) or left_kind not in _ORDERED:
        return None
    try:
        order: int = (left > right) - (left < right)
    except TypeError:
        return None
    return order


def _unescape(token: str) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _ESCAPES or escape[0] == "u":
            return _ESCAPES.get(escape) or chr(int(escape[1:], 16))
        raise FeelError("unknown string escape", token)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", replace, token[1:-1])


def _parse_duration(text: str) -> dt.timedelta:
    match = _DURATION.fullmatch(text)
    if not match or not any(match.groups()[1:]) or text.endswith("T"):
        raise ValueError("not a days-time duration (years-months durations are not supported)")
    sign, days, hours, mins, secs = match.groups()
    delta = dt.timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(mins or 0), seconds=float(secs or 0))
    return -delta if sign else delta


_TEMPORAL: dict[str, Callable[[str], Any]] = {
    "date": dt.date.fromisoformat, "time": dt.time.fromisoformat, "duration": _parse_duration,
    "date and time": dt.datetime.fromisoformat,
}


class _Parser:
    """Recursive descent over the token list of one FEEL text."""

    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.pos = text, self._tokenize(text), 0
        self.depth = 0  # list literals open around the current token

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens, index, end = [], 0, len(text.rstrip())
        while index < end:  # not text[index:].strip(): copying the rest per token is quadratic
            match = _TOKEN.match(text, index)
            if not match or match.lastgroup is None:
                raise FeelError("unsupported FEEL syntax", text)
            tokens.append((match.lastgroup, match.group(match.lastgroup)))
            index = match.end()
        return tokens

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (expected is not None and token[1] != expected):
            raise FeelError(f"expected {expected or 'more input'} at token {self.pos + 1}", self.text)
        self.pos += 1
        return token

    def done(self) -> None:
        if self.peek()[0] != "end":
            raise FeelError(f"unexpected {self.peek()[1]!r}", self.text)

    def expr(self) -> Expr:
        """A literal, a function-call literal, a list literal or a (dotted) name."""
        token_kind, value = self.take()
        if token_kind == "str":
            text = _unescape(value)
            return lambda _ctx: text
        if token_kind == "num" or (value == "-" and self.peek()[0] == "num"):
            number_text = value if token_kind == "num" else "-" + self.take()[1]
            try:
                number: int | float = float(number_text) if "." in number_text else int(number_text)
            except ValueError:  # more digits than Python converts (4,300)
                raise FeelError(f"a number literal of {len(number_text):,} digits is too long", self.text) from None
            return lambda _ctx: number
        if value == "[":
            return self.list_rest([])
        if token_kind == "name":
            return self.name(value)
        raise FeelError(f"unexpected {value!r}", self.text)

    def list_rest(self, items: list[Expr]) -> Expr:
        """The rest of a list literal, after ``[`` and any items already parsed."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FeelError(f"list literals are nested more than {MAX_NESTING} levels deep", self.text)
        while self.peek()[1] != "]":
            if items:
                self.take(",")
            items.append(self.expr())
        self.take("]")
        self.depth -= 1

        def evaluate(ctx: Mapping[str, Any]) -> list[Any]:
            tick(len(items))
            return [item(ctx) for item in items]

        return evaluate

    def name(self, first: str) -> Expr:
        if first in _KEYWORDS:
            constant = _KEYWORDS[first]
            return lambda _ctx: constant
        function = " ".join(first.split())
        if function in _TEMPORAL and self.peek()[1] == "(":
            self.take("(")
            token_kind, raw = self.take()
            if token_kind != "str":
                raise FeelError(f"{function}() needs a string literal", self.text)
            self.take(")")
            try:
                value = _TEMPORAL[function](_unescape(raw))
            except (ValueError, OverflowError) as exc:  # duration("P999999999999D") is past timedelta's range
                raise FeelError(f"invalid {function} literal {raw} ({exc})", self.text) from exc
            return lambda _ctx: value
        path = [first]
        while self.peek()[1] == "." and self.peek(1)[0] == "name":
            self.take()
            path.append(self.take()[1])
        return lambda ctx: _lookup(ctx, path)


def _lookup(context: Mapping[str, Any], path: list[str]) -> Any:
    value: Any = context
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


@lru_cache(maxsize=4096)
def _compile(text: str) -> Expr:
    parser = _Parser(text)
    expression = parser.expr()
    parser.done()
    return expression


def parse_literal(text: str) -> Any:
    """The value of a FEEL literal (string, number, boolean, null, date/time/duration call, list)."""
    if _PATH.fullmatch(text.strip()) and text.strip() not in _KEYWORDS:
        raise FeelError("not a FEEL literal (a name needs a context)", text)
    return _compile(text)({})


def resolve(expression: str, context: Mapping[str, Any]) -> Any:
    """Evaluate a literal, name or dotted path (``report.subtype``, ``Applicant Age``); missing names are None."""
    stripped = expression.strip()
    if stripped in context:
        return context[stripped]
    if _PATH.fullmatch(stripped) and " " in stripped and not _RESERVED & set(stripped.split()):
        return _lookup(context, [part.strip() for part in stripped.split(".")])
    return _compile(expression)(context)


@dataclass(frozen=True)
class UnaryTests:
    """Parsed DMN simple unary tests; ``matches`` is true when any alternative matches (xor ``not(...)``)."""

    text: str
    tests: tuple[Test, ...]
    negated: bool = False

    def matches(self, value: Any, context: Mapping[str, Any] | None = None) -> bool:
        """Whether ``value`` satisfies the tests; names in endpoints resolve against ``context``."""
        return any(test(value, context or {}) for test in self.tests) != self.negated


_COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _compare_test(op: str, endpoint: Expr) -> Test:
    if op == "=":
        return _equal_test(endpoint)
    if op == "!=":
        return lambda value, ctx: kind(value) == kind(endpoint(ctx)) and not feel_equal(value, endpoint(ctx))
    check = _COMPARISONS[op]
    return lambda value, ctx: (result := feel_compare(value, endpoint(ctx))) is not None and check(result, 0)


def _range_test(low: Expr, high: Expr, low_open: bool, high_open: bool) -> Test:
    def test(value: Any, ctx: Mapping[str, Any]) -> bool:
        above, below = feel_compare(value, low(ctx)), feel_compare(value, high(ctx))
        return (above is not None and below is not None and (above > 0 or (above == 0 and not low_open))
                and (below < 0 or (below == 0 and not high_open)))

    return test


def _equal_test(endpoint: Expr) -> Test:
    """A plain endpoint: equality, or membership when the endpoint is a list (FEEL ``in``)."""
    def test(value: Any, ctx: Mapping[str, Any]) -> bool:
        expected = endpoint(ctx)
        if isinstance(expected, list) and kind(value) != "list":
            tick(len(expected))
            return any(feel_equal(value, item) for item in expected)
        return feel_equal(value, expected)

    return test


def _positive_test(parser: _Parser) -> Test:
    token_kind, value = parser.take()
    if token_kind == "op" and value in {"<", "<=", ">", ">=", "=", "!="}:
        return _compare_test(value, parser.expr())
    if value not in {"[", "(", "]"}:
        parser.pos -= 1
        return _equal_test(parser.expr())
    low = parser.expr()
    if value == "[" and parser.peek()[1] != "..":
        return _equal_test(parser.list_rest([low]))
    parser.take("..")
    high = parser.expr()
    closer = parser.take()[1]
    if closer not in {"]", ")", "["}:
        raise FeelError("a range ends with ']', ')' or '['", parser.text)
    return _range_test(low, high, value != "[", closer != "]")


@lru_cache(maxsize=4096)
def parse_unary_tests(text: str) -> UnaryTests:
    """Parse DMN simple unary tests: ``-`` (or empty), ``"a","b"``, ``< 3``, ``[1..5)``, ``not(...)``, literals."""
    if text.strip() in {"", "-"}:
        return UnaryTests(text, (lambda _value, _ctx: True,))
    parser = _Parser(text)
    negated = parser.peek() == ("name", "not") and parser.peek(1)[1] == "("
    parser.pos = 2 if negated else 0
    tests = [_positive_test(parser)]
    while parser.peek()[1] == ",":
        parser.take()
        tests.append(_positive_test(parser))
    if negated:
        parser.take(")")
    parser.done()
    return UnaryTests(text, tuple(tests), negated)
