"""Translate the simple JUEL expressions of Camunda and Flowable models into the Python gridcase runs.

Camunda 7 and Flowable write conditions as JUEL (``${amount > 1000}``, ``#{!approved}``, ``${a + b > 100}``);
gridcase evaluates Python under the sandbox. Comparisons, boolean operators and arithmetic map one to one, so
they are translated on import: a tokenizer, a recursive-descent parser with JUEL's precedence, and an emitter
(``engine.bpmn.juel_python``) that parenthesizes by Python's. Anything else (method calls, ``execution``) is
refused with what to write instead, rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.bpmn.juel_python import WRITE_INSTEAD as _WRITE_INSTEAD
from engine.bpmn.juel_python import JuelError, emit

__all__ = ["JuelError", "is_juel", "translate"]

MAX_DEPTH = 40  # nesting beyond this is no condition a person wrote; also bounds the recursion
_KEYWORDS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
             "ge": ">=", "empty": "empty", "true": "true", "false": "false", "null": "null",
             "div": "div", "mod": "mod", "instanceof": "instanceof"}
_SYMBOLS = ("&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ".", "?", ":", "}", ",",
            "+", "-", "*", "/", "%", "=", ";")
_ARITHMETIC = ("+", "-", "*", "/", "%", "div", "mod")


@dataclass(frozen=True)
class _Token:
    kind: str  # "num" | "str" | "name" | "op" | "end"
    text: str
    value: Any = None


def is_juel(text: str | None) -> bool:
    """True when ``text`` is written as a JUEL expression: ``${…}`` or ``#{…}`` (surrounding blanks allowed)."""
    stripped = (text or "").strip()
    return stripped.startswith(("${", "#{"))


def translate(text: str) -> str:
    """The Python expression for JUEL ``text`` (``${…}``/``#{…}``); JuelError when it is outside the subset."""
    stripped = text.strip()
    if not is_juel(stripped):
        raise JuelError("is not a JUEL expression (it does not start with ${ or #{)")
    parser = _Parser(_tokens(stripped[2:]))
    tree = parser.expression(0)
    parser.expect("}", "the expression is not closed by '}'")
    return emit(tree)


def _tokens(source: str) -> list[_Token]:
    tokens, index = [], 0
    while index < len(source):
        char = source[index]
        if char.isspace():
            index += 1
        elif char in "'\"":
            value, index = _string(source, index)
            tokens.append(_Token("str", value, value))
        elif char.isdigit() or (char == "." and source[index + 1:index + 2].isdigit()):
            token, index = _number(source, index)
            tokens.append(token)
        elif char.isalpha() or char in "_$":
            end = index
            while end < len(source) and (source[end].isalnum() or source[end] in "_$"):
                end += 1
            word = source[index:end]
            tokens.append(_Token("op", _KEYWORDS[word]) if word in _KEYWORDS else _Token("name", word))
            index = end
        else:
            symbol = next((s for s in _SYMBOLS if source.startswith(s, index)), None)
            if symbol is None:
                raise JuelError(f"has a character JUEL does not know here: {char!r}; " + _WRITE_INSTEAD)
            tokens.append(_Token("op", symbol))
            index += len(symbol)
            if symbol == "}":  # JUEL has no braces inside an expression: this one closes ${
                if source[index:].strip():
                    raise JuelError("mixes text and ${…} parts (a composite expression), which has no Python "
                                    "equivalent; " + _WRITE_INSTEAD)
                break
    return [*tokens, _Token("end", "")]


def _string(source: str, start: int) -> tuple[str, int]:
    quote, index, chars = source[start], start + 1, []
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source) and source[index + 1] in "\\'\"":
            chars.append(source[index + 1])
            index += 2
        elif char == quote:
            return "".join(chars), index + 1
        else:
            chars.append(char)
            index += 1
    raise JuelError(f"has a string that is never closed (missing {quote})")


def _number(source: str, start: int) -> tuple[_Token, int]:
    index = start
    while index < len(source) and (source[index].isdigit() or source[index] == "."):
        index += 1
    if index < len(source) and source[index] in "eE":
        index += 1
        if index < len(source) and source[index] in "+-":
            index += 1
        while index < len(source) and source[index].isdigit():
            index += 1
    text = source[start:index]
    try:
        value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        raise JuelError(f"has a malformed number {text!r}") from None
    return _Token("num", text, value), index


class _Parser:
    """JUEL precedence, loosest first: ?: ; || or ; && and ; == != eq ne ; < > <= >= lt gt le ge ; + - ;
    * / div % mod ; unary ! not empty - ; then . [] on a name, literal or parenthesized expression."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.position = tokens, 0

    def peek(self) -> _Token:
        return self.tokens[self.position]

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += token.kind != "end"
        return token

    def accept(self, *ops: str) -> str | None:
        token = self.peek()
        if token.kind == "op" and token.text in ops:
            self.take()
            return token.text
        return None

    def expect(self, op: str, message: str) -> None:
        if self.accept(op) is None:
            token = self.peek()
            if token.text in _ARITHMETIC or token.text in ("=", ";", "instanceof"):
                raise JuelError(_unexpected(token))
            raise JuelError(f"{message} (found {token.text or 'the end'!r})")

    def expression(self, depth: int) -> tuple[Any, ...]:
        if depth > MAX_DEPTH:
            raise JuelError(f"is nested more than {MAX_DEPTH} levels deep; " + _WRITE_INSTEAD)
        condition = self.binary(depth, 0)
        if self.accept("?") is None:
            return condition
        then = self.expression(depth + 1)
        self.expect(":", "has a '?' without its ':' part")
        return ("if", condition, then, self.expression(depth + 1))

    _LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
                                            ("*", "/", "div", "%", "mod"))

    def binary(self, depth: int, level: int) -> tuple[Any, ...]:
        if level == len(self._LEVELS):
            return self.unary(depth)
        left = self.binary(depth, level + 1)
        while (op := self.accept(*self._LEVELS[level])) is not None:
            left = (op, left, self.binary(depth, level + 1))
        return left

    def unary(self, depth: int) -> tuple[Any, ...]:
        if depth > MAX_DEPTH:
            raise JuelError(f"is nested more than {MAX_DEPTH} levels deep; " + _WRITE_INSTEAD)
        if (op := self.accept("!", "empty")) is not None:
            return (op, self.unary(depth + 1))
        if self.accept("-") is not None:
            if self.peek().kind == "num":  # a negative literal stays a literal: -1.5, not -(1.5)
                return ("lit", -self.take().value)
            return ("neg", self.unary(depth + 1))
        return self.postfix(depth, self.primary(depth))

    def primary(self, depth: int) -> tuple[Any, ...]:
        token = self.take()
        if token.kind in ("num", "str"):
            return ("lit", token.value)
        if token.kind == "name":
            return ("name", token.text)
        literals = {"true": True, "false": False, "null": None}
        if token.kind == "op" and token.text in literals:
            return ("lit", literals[token.text])
        if token.kind == "op" and token.text == "(":
            inner = self.expression(depth + 1)
            self.expect(")", "has a '(' that is never closed")
            return inner
        raise JuelError(_unexpected(token))

    def postfix(self, depth: int, node: tuple[Any, ...]) -> tuple[Any, ...]:
        while True:
            if self.accept(".") is not None:
                token = self.take()
                if token.kind != "name":
                    raise JuelError(f"has '.' followed by {token.text or 'nothing'!r} instead of a property name")
                node = ("get", node, ("lit", token.text))
            elif self.accept("[") is not None:
                node = ("index", node, self.expression(depth + 1))
                self.expect("]", "has a '[' that is never closed")
            elif self.peek().text == "(" and self.peek().kind == "op":
                raise JuelError(_call_refusal(node))
            else:
                return node


def _unexpected(token: _Token) -> str:
    if token.kind == "end" or token.text == "}":
        return "ends where a value was expected; " + _WRITE_INSTEAD
    if token.text in _ARITHMETIC:
        return (f"has the operator {token.text!r} where a value was expected (an operand is missing); "
                + _WRITE_INSTEAD)
    if token.text == "instanceof":
        return "uses instanceof, which has no meaning for case data; " + _WRITE_INSTEAD
    if token.text in ("=", ";"):
        return f"uses {token.text!r}: an expression cannot assign or run statements; use a script task"
    return f"has {token.text!r} where a value was expected; " + _WRITE_INSTEAD


def _call_refusal(node: tuple[Any, ...]) -> str:
    path = _dotted(node)
    if path in ("execution.getVariable", "execution.getVariableLocal", "task.getVariable"):
        return (f"calls {path}(…): gridcase conditions read case data directly; write the variable's name "
                "instead, e.g. amount > 1000 for execution.getVariable('amount') > 1000")
    return (f"calls a method or function ({path or 'an expression'}(…)): gridcase conditions call no Java beans "
            "or services; compute the value in a script task before the gateway and compare it here, "
            "e.g. approved == True")


def _dotted(node: tuple[Any, ...]) -> str:
    if node[0] == "name":
        return str(node[1])
    if node[0] == "get":
        base = _dotted(node[1])
        return f"{base}.{node[2][1]}" if base else ""
    return ""
