"""FEEL's textual expressions: ``for``, ``if``, ``some``/``every`` and function definitions (DMN 1.5 grammar
rules 46–57); each body reaches as far right as it can."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from feel import nodes as n
from feel.lexer import Token
from feel.names import spell
from feel.parser_types import parse_type

if TYPE_CHECKING:
    from feel.parser import Parser


def for_expression(parser: Parser) -> n.Node:
    """for x in domain, y in a..b return body."""
    parser.advance()
    iterations, pushed = _iterations(parser, "return")
    try:
        body = parser.expression()
    finally:
        for _ in range(pushed):
            parser.names.pop()
    return n.For(iterations, body, uses_partial="partial" in parser.text)


def _iterations(parser: Parser, closing: str) -> tuple[tuple[n.Iteration, ...], int]:
    """Iteration contexts up to the keyword ``closing``; each variable is in scope for what follows."""
    found: list[n.Iteration] = []
    while True:
        name = _iteration_name(parser)
        parser.expect_keyword("in")
        domain = parser.expression()
        end = None
        if parser.token.is_symbol(".."):
            parser.advance()
            end = parser.expression()
        found.append(n.Iteration(name, domain, end))
        parser.names.push([name])
        if parser.token.is_symbol(","):
            parser.advance()
            continue
        parser.expect_keyword(closing)
        return tuple(found), len(found)


def _iteration_name(parser: Parser) -> str:
    """The variable of an iteration: the words before ``in``."""
    words: list[Token] = []
    while parser.token.kind == "word" or (parser.token.kind == "symbol" and parser.token.text in ("-", ".", "/")):
        words.append(parser.advance())
    if not words:
        raise parser.error(f"expected a variable name, found {parser.describe(parser.token)}")
    return spell(words)


def if_expression(parser: Parser) -> n.Node:
    """if condition then a else b."""
    parser.advance()
    condition = parser.expression()
    parser.expect_keyword("then")
    then = parser.expression()
    parser.expect_keyword("else")
    return n.If(condition, then, parser.expression())


def quantified(parser: Parser) -> n.Node:
    """some/every x in domain satisfies condition."""
    kind = parser.advance().text
    iterations, pushed = _iterations(parser, "satisfies")
    try:
        condition = parser.expression()
    finally:
        for _ in range(pushed):
            parser.names.pop()
    return n.Quantified(kind, iterations, condition)


def function_definition(parser: Parser) -> n.Node:
    """function(a, b: type) body; ``external`` bodies are refused."""
    parser.advance()
    parser.expect_symbol("(")
    params: list[str] = []
    types: list[n.TypeRef | None] = []
    while not parser.token.is_symbol(")"):
        if params:
            parser.expect_symbol(",")
        params.append(parser.key_name((",", ")", ":")))
        types.append(_param_type(parser))
    parser.advance()
    if len(set(params)) != len(params):
        raise parser.error("a function definition names a parameter twice")
    if parser.token.is_keyword("external"):
        raise parser.error("external functions (Java, PMML) are not supported by gridcase's FEEL")
    parser.names.push(params)
    try:
        body = parser.expression()
    finally:
        parser.names.pop()
    return n.FunctionDefinition(tuple(params), tuple(types), body)


def _param_type(parser: Parser) -> n.TypeRef | None:
    """The ``: type`` after a parameter, if any."""
    if not parser.token.is_symbol(":"):
        return None
    parser.advance()
    return parse_type(parser)


TEXTUAL: dict[str, Callable[[Parser], n.Node]] = {
    "for": for_expression,
    "if": if_expression,
    "some": quantified,
    "every": quantified,
    "function": function_definition,
}
