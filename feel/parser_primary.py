"""Primary FEEL expressions: literals, names, lists, ranges, contexts, parentheses, and invocation arguments."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from feel import nodes as n
from feel.values import number

if TYPE_CHECKING:
    from feel.parser import Parser

_CONSTANTS = {"true": True, "false": False, "null": None}


def primary(parser: Parser) -> n.Node:
    """A literal, name, list, range, context, parenthesized expression or textual expression."""
    token = parser.token
    if token.kind == "number":
        parser.advance()
        return n.Literal(number(Decimal(token.text)))
    if token.kind == "string":
        parser.advance()
        return n.Literal(token.text)
    if token.kind == "keyword" and token.text in _CONSTANTS and not parser.names.longest(parser.tokens, parser.pos):
        parser.advance()
        return n.Literal(_CONSTANTS[token.text])
    textual = token.kind == "keyword" and token.text in ("for", "if", "some", "every", "function")
    if textual and not parser.names.longest(parser.tokens, parser.pos):
        return parser.expression()
    if token.kind == "symbol":
        outer, parser.in_range_end = parser.in_range_end, token.text in ("@", "?", "<", "<=", ">", ">=")
        try:
            return _symbol_primary(parser, token.text)
        finally:
            parser.in_range_end = outer
    if token.kind in ("word", "keyword"):
        return n.Name(parser.name())
    raise parser.error(f"unexpected {parser.describe(token)}")


def _symbol_primary(parser: Parser, symbol: str) -> n.Node:
    if symbol == "@":
        parser.advance()
        if parser.token.kind != "string":
            raise parser.error("expected a string after '@'")
        return n.AtLiteral(parser.advance().text)
    if symbol == "?":
        parser.advance()
        return n.Name("?")
    if symbol == "(":
        return _parenthesized(parser)
    if symbol == "[":
        return _list_or_range(parser)
    if symbol == "]":
        parser.advance()
        return _range_rest(parser, parser.expression(), start_included=False)
    if symbol == "{":
        return _context(parser)
    if symbol in ("<", "<=", ">", ">="):
        return parser.comparison_test()
    raise parser.error(f"unexpected {parser.describe(parser.token)}")


def _parenthesized(parser: Parser) -> n.Node:
    parser.advance()
    if parser.token.kind == "symbol" and parser.token.text in ("=", "!="):
        # a range written as a unary comparison: (=10) is [10..10]; (!=10) has the same endpoints, excluded
        op = parser.advance().text
        endpoint = parser.additive()
        parser.expect_symbol(")")
        return n.RangeNode(endpoint, endpoint, op == "=", op == "=")
    inner = parser.expression()
    if parser.token.is_symbol(".."):
        return _range_rest(parser, inner, start_included=False)
    parser.expect_symbol(")")
    return inner


def _list_or_range(parser: Parser) -> n.Node:
    parser.advance()
    if parser.token.is_symbol("]"):
        parser.advance()
        return n.ListNode(())
    first = parser.expression()
    if parser.token.is_symbol(".."):
        return _range_rest(parser, first, start_included=True)
    items = [first]
    while parser.token.is_symbol(","):
        parser.advance()
        items.append(parser.expression())
    parser.expect_symbol("]")
    return n.ListNode(tuple(items))


def _range_rest(parser: Parser, start: n.Node, *, start_included: bool) -> n.Node:
    """After a range's start: ``.. end`` and the closing bracket."""
    parser.expect_symbol("..")
    outer, parser.in_range_end = parser.in_range_end, True
    try:
        end = parser.expression()
    finally:
        parser.in_range_end = outer
    closing = parser.token
    if not closing.is_symbol("]", ")", "["):
        raise parser.error(f"expected ']', ')' or '[' to close the range, found {parser.describe(closing)}")
    parser.advance()
    return n.RangeNode(start, end, start_included, closing.text == "]")


def _context(parser: Parser) -> n.Node:
    parser.advance()
    entries: list[tuple[str, n.Node]] = []
    parser.names.push()
    try:
        while not parser.token.is_symbol("}"):
            if entries:
                parser.expect_symbol(",")
            key_token = parser.token
            key = parser.advance().text if key_token.kind == "string" else parser.key_name((":",))
            parser.expect_symbol(":")
            if any(existing == key for existing, _ in entries):
                raise parser.error(f"the context has the key {key!r} twice", key_token)
            parser.names.add(key)
            entries.append((key, parser.expression()))
    finally:
        parser.names.pop()
    parser.advance()
    return n.ContextNode(tuple(entries))


def arguments(parser: Parser, callee: n.Node) -> n.Node:
    """``(a, b)`` or ``(name: a, other name: b)`` after a callee."""
    outer, parser.in_range_end = parser.in_range_end, False
    try:
        return _arguments(parser, callee)
    finally:
        parser.in_range_end = outer


def _arguments(parser: Parser, callee: n.Node) -> n.Node:
    parser.advance()
    if parser.token.is_symbol(")"):
        parser.advance()
        return n.Call(callee, ())
    if _named_ahead(parser):
        named: list[tuple[str, n.Node]] = []
        while True:
            name = parser.key_name((":",))
            parser.expect_symbol(":")
            named.append((name, parser.expression()))
            if not parser.token.is_symbol(","):
                break
            parser.advance()
        parser.expect_symbol(")")
        return n.Call(callee, (), tuple(named))
    args = [parser.expression()]
    while parser.token.is_symbol(","):
        parser.advance()
        args.append(parser.expression())
    parser.expect_symbol(")")
    return n.Call(callee, tuple(args))


def _named_ahead(parser: Parser) -> bool:
    # named arguments: name tokens, then ":" (a positional argument never has a ":" at its top level)
    index = parser.pos
    while parser.tokens[index].kind in ("word", "keyword") or parser.tokens[index].is_symbol("-", ".", "/"):
        index += 1
    return index > parser.pos and parser.tokens[index].is_symbol(":")
