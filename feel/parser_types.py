"""FEEL type references (``instance of`` and typed parameters): ``number``, ``list<T>``, ``context<a: T>``,
``range<T>``, ``function<T, U> -> V``, ``date and time``, ``Any``, ``Null`` (DMN 1.5 §10.3.2.9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from feel.nodes import TypeRef

if TYPE_CHECKING:
    from feel.parser import Parser

#: the built-in type names made of several words
_LONG_TYPES = (
    ("date", "and", "time"),
    ("days", "and", "time", "duration"),
    ("years", "and", "months", "duration"),
)


def parse_type(parser: Parser) -> TypeRef:
    """The type at the parser's current token."""
    token = parser.token
    if token.kind == "keyword" and token.text == "function" and parser.peek().is_symbol("<"):
        return _function_type(parser)
    if token.kind == "word" and token.text in ("list", "range") and parser.peek().is_symbol("<"):
        parser.pos += 2
        inner = parse_type(parser)
        _close(parser)
        return TypeRef(token.text, (inner,))
    if token.kind == "word" and token.text == "context" and parser.peek().is_symbol("<"):
        return _context_type(parser)
    for words in _LONG_TYPES:
        if tuple(t.text for t in parser.tokens[parser.pos : parser.pos + len(words)]) == words:
            parser.pos += len(words)
            return TypeRef(" ".join(words))
    if token.kind == "keyword" and token.text == "function":
        parser.advance()
        return TypeRef("function")
    if token.kind == "keyword" and token.text == "null":
        parser.advance()
        return TypeRef("Null")
    return TypeRef(_type_name(parser))


def _type_name(parser: Parser) -> str:
    # a name, possibly qualified (an item definition from an imported model: "model.tType")
    words = [parser.name()]
    while parser.token.is_symbol(".") and parser.peek().kind == "word":
        parser.advance()
        words.append(parser.name())
    return ".".join(words)


def _close(parser: Parser) -> None:
    # ">" ends a type's arguments; the lexer reads ">=" or ">>" after nested types as one token only for ">="
    parser.expect_symbol(">")


def _function_type(parser: Parser) -> TypeRef:
    parser.pos += 2
    params: list[TypeRef] = []
    while not parser.token.is_symbol(">"):
        if params:
            parser.expect_symbol(",")
        params.append(parse_type(parser))
    parser.advance()
    parser.expect_symbol("->")
    return TypeRef("function", tuple(params), result=parse_type(parser))


def _context_type(parser: Parser) -> TypeRef:
    parser.pos += 2
    keys: list[str] = []
    types: list[TypeRef] = []
    while not parser.token.is_symbol(">"):
        if keys:
            parser.expect_symbol(",")
        keys.append(parser.key_name((":",)))
        parser.expect_symbol(":")
        types.append(parse_type(parser))
    parser.advance()
    return TypeRef("context", tuple(types), keys=tuple(keys))
