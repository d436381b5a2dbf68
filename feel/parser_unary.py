"""Parsing FEEL unary tests, a decision table's input entries: ``-``, ``not(tests)`` or ``test, test…``."""

from __future__ import annotations

from collections.abc import Iterable

from feel import nodes as n
from feel.errors import FeelError
from feel.parser import Parser


def parse_unary_tests(text: str, names: Iterable[str] = ()) -> n.UnaryTests:
    """The AST of FEEL unary tests: ``-``, ``not(tests)``, ``(tests)`` or ``test, test…``; FeelError on a
    syntax error."""
    parser = Parser(text, names)
    if parser.token.kind == "end":
        raise parser.error("the unary tests are empty (write - for any value)")
    if parser.token.is_symbol("-") and parser.peek().kind == "end":
        return n.UnaryTests(any=True)
    if parser.token.kind == "word" and parser.token.text == "not" and parser.peek().is_symbol("("):
        tests = _enclosed_tests(parser, 2)
        if tests is not None:
            return n.UnaryTests(tests, negated=True)
    if parser.token.is_symbol("("):
        tests = _enclosed_tests(parser, 1)
        if tests is not None:  # ("a", "b"): the list in parentheses; (<10), (10): the one test
            parser.advance()  # the closing parenthesis, the last token
            return n.UnaryTests(tests)
    tests = _test_list(parser)
    parser.expect_end()
    return n.UnaryTests(tests)


def _enclosed_tests(parser: Parser, skip: int) -> tuple[n.Node, ...] | None:
    """The tests between the parentheses opened ``skip`` tokens on, when they close at the end of the text;
    otherwise None, the parser where it was (``not(x) = y`` and ``(1 + 2) * 3`` are expressions)."""
    saved = parser.pos
    parser.pos += skip
    try:
        tests = _test_list(parser)
    except FeelError:
        tests = None
    if tests is not None and parser.token.is_symbol(")") and parser.peek().kind == "end":
        return tests
    parser.pos = saved
    return None


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
