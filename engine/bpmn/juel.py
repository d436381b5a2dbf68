"""Translate the simple JUEL expressions of Camunda and Flowable models into the Python gridcase runs.

Camunda 7 and Flowable write conditions as JUEL (``${amount > 1000}``, ``#{!approved}``); gridcase evaluates
Python under the sandbox. The comparison/boolean subset maps one to one, so it is translated on import:
a tokenizer, a recursive-descent parser with JUEL's precedence, and an emitter that parenthesizes by
Python's. Anything else (method calls, arithmetic, ``execution``) is refused with what to write instead,
rather than guessed at.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 40  # nesting beyond this is no condition a person wrote; also bounds the recursion
_KEYWORDS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
             "ge": ">=", "empty": "empty", "true": "true", "false": "false", "null": "null",
             "div": "div", "mod": "mod", "instanceof": "instanceof"}
_SYMBOLS = ("&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ".", "?", ":", "}", ",",
            "+", "-", "*", "/", "%", "=", ";")
_COMPARE = {"==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_ARITHMETIC = ("+", "-", "*", "/", "%", "div", "mod")
_EMPTY_VALUES = "(None, '', [], {})"
# Python precedence levels of what the emitter writes (higher binds tighter).
_TERNARY, _OR, _AND, _NOT, _COMPARISON, _ATOM = 0, 1, 2, 3, 4, 9
_WRITE_INSTEAD = ("write the condition as a Python expression over the case data, e.g. "
                  "amount > 1000 and status == 'open'")


class JuelError(ValueError):
    """A JUEL expression outside the translated subset; the message says why and what to write instead."""


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
    return _emit(tree)[0]


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
    """JUEL precedence, loosest first: ?: ; || or ; && and ; == != eq ne ; < > <= >= lt gt le ge ;
    unary ! not empty - ; then . [] on a name, literal or parenthesized expression."""

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

    _LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="))

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
            token = self.peek()
            if token.kind != "num":
                raise JuelError("negates something other than a number; arithmetic is not translated: "
                                "compute the value in a script task before the gateway")
            self.take()
            return ("lit", -token.value)
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
        return (f"uses arithmetic ({token.text!r}), which is not translated (JUEL and Python differ on it): "
                "compute the value in a script task before the gateway, then compare it")
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


def _emit(node: tuple[Any, ...]) -> tuple[str, int]:
    """Python text for ``node`` and its precedence (children are parenthesized by Python's rules)."""
    kind = node[0]
    if kind == "lit":  # None, True, False, numbers and quoted strings: Python's repr is the literal
        return repr(node[1]), _ATOM
    if kind == "name":
        return _name(node[1]), _ATOM
    if kind in ("get", "index"):
        return _access(node), _ATOM
    return _emit_operator(node)


def _access(node: tuple[Any, ...]) -> str:
    # A property of a map is read with .get: JUEL gives null for a missing key, as dict.get gives None.
    key = node[2]
    if key[0] == "lit" and isinstance(key[1], str):
        return f"{_operand(node[1], _ATOM)}.get({key[1]!r})"
    return f"{_operand(node[1], _ATOM)}[{_emit(key)[0]}]"


def _emit_operator(node: tuple[Any, ...]) -> tuple[str, int]:
    kind = node[0]
    if kind == "!" and node[1][0] == "empty":
        return f"{_operand(node[1][1], _COMPARISON + 1)} not in {_EMPTY_VALUES}", _COMPARISON
    if kind == "!":  # not (a == b) rather than not a == b: the same in Python, but read as JUEL wrote it
        return f"not {_operand(node[1], _COMPARISON + 1)}", _NOT
    if kind == "empty":  # JUEL's empty: null, an empty string, list or map (0 and false are not empty)
        return f"{_operand(node[1], _COMPARISON + 1)} in {_EMPTY_VALUES}", _COMPARISON
    if kind in ("||", "&&"):
        level, word = (_OR, "or") if kind == "||" else (_AND, "and")
        return f"{_operand(node[1], level)} {word} {_operand(node[2], level + 1)}", level
    if kind in _COMPARE:
        return _comparison(kind, node[1], node[2]), _COMPARISON
    condition, then, otherwise = node[1], node[2], node[3]
    return (f"{_operand(then, _OR)} if {_operand(condition, _OR)} else {_operand(otherwise, _TERNARY)}",
            _TERNARY)


def _comparison(op: str, left: tuple[Any, ...], right: tuple[Any, ...]) -> str:
    # JUEL does not chain comparisons (a < b < c is (a < b) < c), so every operand that is itself a
    # comparison is parenthesized; a comparison with null is an identity test in Python.
    if op in ("==", "!=") and (left == ("lit", None) or right == ("lit", None)):
        other = right if left == ("lit", None) else left
        return f"{_operand(other, _COMPARISON + 1)} {'is' if op == '==' else 'is not'} None"
    return f"{_operand(left, _COMPARISON + 1)} {_COMPARE[op]} {_operand(right, _COMPARISON + 1)}"


def _operand(node: tuple[Any, ...], minimum: int) -> str:
    text, precedence = _emit(node)
    return text if precedence >= minimum else f"({text})"


def _name(name: str) -> str:
    if keyword.iskeyword(name) or name.startswith("_") or "$" in name:
        raise JuelError(f"uses the variable {name!r}, which cannot be a Python name; rename the variable "
                        "(letters, digits and '_', not starting with '_', no Python keyword)")
    if name in ("execution", "task", "authenticatedUserId"):
        raise JuelError(f"reads {name!r}, an object of the Camunda/Flowable engine that gridcase does not have; "
                        + _WRITE_INSTEAD)
    return name
