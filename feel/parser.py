"""The FEEL parser: tokens → ``feel.nodes`` (DMN 1.5 §10.3.1, grammar rules 1–67), recursive descent.

Precedence, loosest first: ``for``/``if``/``some``/``every``/``function`` · ``or`` · ``and`` · comparison,
``between``, ``in``, ``instance of`` · ``+ -`` · ``* /`` · ``**`` · unary ``-`` · path ``.``, filter ``[…]``,
invocation ``(…)``. Unary tests (decision table input entries) are parsed by ``parse_unary_tests``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from feel import nodes as n
from feel.errors import FeelError
from feel.lexer import Token, tokenize
from feel.names import NameTable, spell
from feel.parser_primary import arguments, primary
from feel.parser_textual import TEXTUAL
from feel.parser_types import parse_type

_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_RANGE_OPEN = ("[", "(", "]")
_RANGE_CLOSE = ("]", ")", "[")
_MAX_NESTING = 300  # else-if chains nest 3 frames a level; deep parentheses end in RecursionError (a FeelError)


class Parser:
    """One parse of one text; ``names`` are the multi-word names in scope."""

    def __init__(self, text: str, names: Iterable[str]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.names = NameTable(names)
        self.depth = 0
        self.in_range_end = False  # a "[" after a range's end closes the range (]1..2[), never filters

    # -- token helpers -------------------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        """The current token."""
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        """A token after the current one (the end token past the end)."""
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        """The current token, moving past it."""
        token = self.tokens[self.pos]
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return token

    def error(self, message: str, token: Token | None = None) -> FeelError:
        """A syntax error at ``token`` (default: the current one)."""
        return FeelError(message, text=self.text, position=(token or self.token).start)

    def expect_symbol(self, symbol: str) -> Token:
        """Consume ``symbol`` or fail naming it."""
        if not self.token.is_symbol(symbol):
            raise self.error(f"expected {symbol!r}, found {self.describe(self.token)}")
        return self.advance()

    def expect_keyword(self, word: str) -> Token:
        """Consume the keyword ``word`` or fail naming it."""
        if not self.token.is_keyword(word):
            raise self.error(f"expected {word!r}, found {self.describe(self.token)}")
        return self.advance()

    @staticmethod
    def describe(token: Token) -> str:
        """A token as an error message names it."""
        return "the end of the expression" if token.kind == "end" else repr(token.text)

    def expect_end(self) -> None:
        """Fail unless every token was used."""
        if self.token.kind != "end":
            raise self.error(f"unexpected {self.describe(self.token)}")

    # -- names -----------------------------------------------------------------------------------------------
    def name(self) -> str:
        """The name at the current token: the longest known multi-token name, else adjacent words."""
        count = self.names.longest(self.tokens, self.pos)
        if count:
            name = spell(self.tokens[self.pos : self.pos + count])
            self.pos += count
            return name
        if self.token.kind != "word":
            raise self.error(f"expected a name, found {self.describe(self.token)}")
        words = [self.advance().text]
        while self.token.kind == "word":
            words.append(self.advance().text)
        return " ".join(words)

    def key_name(self, stops: tuple[str, ...]) -> str:
        """A name made of every token up to one of the ``stops`` symbols (context keys, named arguments)."""
        start = self.pos
        while self.token.kind != "end" and not (self.token.kind == "symbol" and self.token.text in stops):
            if self.token.kind == "string" or self.token.is_symbol("(", ")", "[", "]", "{", "}", ","):
                raise self.error(f"unexpected {self.describe(self.token)} in a name")
            self.advance()
        if self.pos == start:
            raise self.error(f"expected a name, found {self.describe(self.token)}")
        return spell(self.tokens[start : self.pos])

    # -- expressions -----------------------------------------------------------------------------------------
    def expression(self) -> n.Node:
        """expression = textual expression (loosest: for, if, quantified, function definition, disjunction)."""
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise self.error("the expression is nested too deeply")
        try:
            token = self.token
            if token.kind == "keyword" and token.text in TEXTUAL and not self.names.longest(self.tokens, self.pos):
                return TEXTUAL[token.text](self)  # (unless a name in scope begins with the keyword: "for sale")
            return self.disjunction()
        finally:
            self.depth -= 1

    def disjunction(self) -> n.Node:
        """a or b or c."""
        node = self.conjunction()
        while self.token.is_keyword("or"):
            self.advance()
            node = n.Logical("or", node, self.conjunction())
        return node

    def conjunction(self) -> n.Node:
        """a and b and c."""
        node = self.comparison()
        while self.token.is_keyword("and"):
            self.advance()
            node = n.Logical("and", node, self.comparison())
        return node

    def comparison(self) -> n.Node:
        """Comparisons, between, in and instance of (left to right)."""
        node = self.additive()
        while True:
            token = self.token
            if token.kind == "symbol" and token.text in _COMPARISONS:
                self.advance()
                node = n.Comparison(token.text, node, self.additive())
            elif token.is_keyword("between"):
                self.advance()
                low = self.additive()
                self.expect_keyword("and")
                node = n.Between(node, low, self.additive())
            elif token.is_keyword("in"):
                self.advance()
                node = n.In(node, self.in_tests())
            elif token.is_keyword("instance") and self.peek().is_keyword("of"):
                self.pos += 2
                node = n.InstanceOf(node, parse_type(self))
            else:
                return node

    def in_tests(self) -> tuple[n.Node, ...]:
        """The positive unary tests after ``in``: one test, or ``(test, test…)``."""
        if self.token.is_symbol("("):
            saved = self.pos
            self.advance()
            try:
                tests = [self.positive_test(enclosed=True)]
                while self.token.is_symbol(","):
                    self.advance()
                    tests.append(self.positive_test(enclosed=True))
            except FeelError:
                tests = []
            if tests and self.token.is_symbol(")"):
                self.advance()
                return tuple(tests)
            self.pos = saved  # "(1..5)": an interval, not a list of tests
        return (self.positive_test(),)

    def positive_test(self, *, enclosed: bool = False) -> n.Node:
        """``< e``, ``<= e``, ``> e``, ``>= e``, an interval or an expression (a whole one between parentheses,
        where a comma ends it; an additive one after a bare ``in``, so ``x in y and z`` stays a conjunction)."""
        token = self.token
        if token.kind == "symbol" and token.text in ("<", "<=", ">", ">=", "=", "!="):
            return self.comparison_test()
        return self.expression() if enclosed else self.additive()

    def comparison_test(self) -> n.Node:
        """A one-sided range ``< e`` (or ``= e`` / ``!= e``, kept as comparisons with ``?``)."""
        op = self.advance().text
        endpoint = self.additive()
        if op in ("=", "!="):
            return n.Comparison(op, n.Name("?"), endpoint)
        if op in ("<", "<="):
            return n.RangeNode(None, endpoint, False, op == "<=")
        return n.RangeNode(endpoint, None, op == ">=", False)

    def additive(self) -> n.Node:
        """a + b - c."""
        node = self.multiplicative()
        while self.token.is_symbol("+", "-"):
            op = self.advance().text
            node = n.Arithmetic(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> n.Node:
        """a * b / c."""
        node = self.power()
        while self.token.is_symbol("*", "/"):
            op = self.advance().text
            node = n.Arithmetic(op, node, self.power())
        return node

    def power(self) -> n.Node:
        """a ** b (left to right)."""
        node = self.negation()
        while self.token.is_symbol("**"):
            self.advance()
            node = n.Arithmetic("**", node, self.negation())
        return node

    def negation(self) -> n.Node:
        """-a."""
        if self.token.is_symbol("-"):
            self.advance()
            operand = self.negation()
            if isinstance(operand, n.Literal) and isinstance(operand.value, Decimal):
                return n.Literal(-operand.value)
            return n.Negation(operand)
        return self.postfix()

    def postfix(self) -> n.Node:
        """Paths, filters and invocations after a primary."""
        node = primary(self)
        while True:
            if self.token.is_symbol("."):
                self.advance()
                node = n.Path(node, self.member_name())
            elif self.token.is_symbol("..."):
                self.advance()
                node = n.Descendants(node, self.member_name())
            elif self.token.is_symbol("[") and not self.in_range_end:
                self.advance()
                outer, self.in_range_end = self.in_range_end, False
                condition = self.expression()
                self.in_range_end = outer
                self.expect_symbol("]")
                node = n.Filter(node, condition)
            elif self.token.is_symbol("("):
                node = arguments(self, node)
            else:
                return node

    def member_name(self) -> str:
        """The name after ``.``: adjacent words (``time offset``, ``start included``)."""
        if self.token.kind not in ("word", "keyword"):
            raise self.error(f"expected a name after '.', found {self.describe(self.token)}")
        words = [self.advance().text]
        while self.token.kind == "word":
            words.append(self.advance().text)
        return " ".join(words)


def parse_expression(text: str, names: Iterable[str] = ()) -> n.Node:
    """The AST of a FEEL expression; FeelError on a syntax error."""
    parser = Parser(text, names)
    if parser.token.kind == "end":
        raise parser.error("the expression is empty")
    node = parser.expression()
    parser.expect_end()
    return node
