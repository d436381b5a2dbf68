"""Parsing FEEL unary tests, a decision table's input entries: ``-``, ``not(tests)`` or ``test, test…``."""

from __future__ import annotations

from collections.abc import Iterable

from feel import nodes as n
from feel.parser import Parser


def parse_unary_tests(text: str, names: Iterable[str] = ()) -> n.UnaryTests:
    """The AST of FEEL unary tests: ``-``, ``not(tests)`` or ``test, test…``; FeelError on a syntax error."""
    parser = Parser(text, names)
    if parser.token.kind == "end":
        raise parser.error("the unary tests are empty (write - for any value)")
    if parser.token.is_symbol("-") and parser.peek().kind == "end":
        return n.UnaryTests(any=True)
    if parser.token.kind == "word" and parser.token.text == "not" and parser.peek().is_symbol("("):
        saved = parser.pos
        parser.pos += 2
        tests = _test_list(parser)
        if parser.token.is_symbol(")") and parser.peek().kind == "end":
            return n.UnaryTests(tests, negated=True)
        parser.pos = saved  # not(…) followed by more: an expression using the not() function
    tests = _test_list(parser)
    parser.expect_end()
    return n.UnaryTests(tests)


def _test_list(parser: Parser) -> tuple[n.Node, ...]:
    tests = [_unary_test(parser)]
    while parser.token.is_symbol(","):
        parser.advance()
        tests.append(_unary_test(parser))
    return tuple(tests)


def _unary_test(parser: Parser) -> n.Node:
    token = parser.token
    if token.kind == "symbol" and token.text in ("<", "<=", ">", ">=", "=", "!="):
        return parser.comparison_test()
    return parser.expression()
