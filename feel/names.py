"""Names with spaces and symbols: which run of tokens is one FEEL name (DMN 1.5 §10.3.1.2, §10.3.2.11).

A FEEL name may contain spaces and the additional name symbols ``. / - ' + *`` (``Monthly Salary``,
``Pre-Qualification``, ``date and time``), so no lexer can tell where it ends. The parser asks ``NameTable``:
the longest run of tokens that spells a name known in scope (the caller's ``names``, the built-ins, context
entries, parameters, iteration variables) is one name; failing that, adjacent plain words form one name
(``first name``), which is never ambiguous because two names never stand next to each other in FEEL.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable

from feel.errors import FeelError
from feel.lexer import Token, tokenize

_NAME_SYMBOLS = frozenset({".", "/", "-", "+", "*", "?"})  # ? too: models name decisions "Is Eligible?"
_MAX_NAME_TOKENS = 12


@functools.cache
def builtin_names() -> frozenset[str]:
    """The names of FEEL's built-in functions (``feel.builtins``; none while that package is absent)."""
    try:
        module = importlib.import_module("feel.builtins")
    except ImportError:
        return frozenset()
    return frozenset(getattr(module, "BUILTINS", {}))


def _first_token(name: str) -> str:
    try:
        return tokenize(name)[0].text
    except FeelError:
        return ""  # a name FEEL text cannot spell is never matched


@functools.cache
def _builtin_table() -> tuple[frozenset[str], frozenset[str]]:
    """The built-ins' multi-token names and their first tokens, computed once."""
    names = frozenset(normalize(name) for name in builtin_names() if _is_long(name))
    return names, frozenset(_first_token(name) for name in names)


@functools.lru_cache(maxsize=256)
def _table(names: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """A model's multi-token names and their first tokens, computed once per set of names (every expression
    of a model is compiled with the same set)."""
    long_names = frozenset(normalize(name) for name in names if _is_long(name))
    return long_names, frozenset(_first_token(name) for name in long_names)


def normalize(name: str) -> str:
    """A name with each run of whitespace as one space (how names are compared)."""
    return " ".join(name.split())


def _joinable(token: Token) -> bool:
    return token.kind in ("word", "keyword", "number") or (token.kind == "symbol" and token.text in _NAME_SYMBOLS)


def spell(tokens: list[Token]) -> str:
    """The name the tokens spell: words apart by one space where the text had whitespace, symbols as written."""
    parts: list[str] = []
    for index, token in enumerate(tokens):
        if index and token.spaced:
            parts.append(" ")
        parts.append(token.text)
    return "".join(parts)


class NameTable:
    """The multi-token names known while parsing, by scope."""

    def __init__(self, names: Iterable[str]) -> None:
        base, firsts = _builtin_table()
        given, given_firsts = _table(frozenset(names))
        self._scopes: list[set[str]] = [set(base), set(given)]
        self._firsts: set[str] = set(firsts) | given_firsts

    def _note(self, name: str) -> None:
        self._firsts.add(_first_token(name))

    def push(self, names: Iterable[str] = ()) -> None:
        """Open a scope (a context, a function's parameters, an iteration) with ``names`` in it."""
        self._scopes.append(set())
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        """Make ``name`` known in the innermost scope."""
        if _is_long(name):
            normalized = normalize(name)
            self._scopes[-1].add(normalized)
            self._note(normalized)

    def pop(self) -> None:
        """Close the innermost scope (its names stay candidates; an unknown run still needs all its tokens)."""
        self._scopes.pop()

    def _known(self, name: str) -> bool:
        return any(name in scope for scope in self._scopes)

    def longest(self, tokens: list[Token], start: int) -> int:
        """How many tokens from ``start`` spell the longest known multi-token name (0: none)."""
        first = tokens[start]
        if first.kind not in ("word", "keyword") or first.text not in self._firsts:
            return 0
        best = 0
        end = start
        while end < len(tokens) and end - start < _MAX_NAME_TOKENS and _joinable(tokens[end]):
            end += 1
            if end - start > 1 and self._known(spell(tokens[start:end])):
                best = end - start
        return best


def _is_long(name: str) -> bool:
    # a name of one plain word needs no table: the lexer gives it as one token
    return any(not (char.isalnum() or char in "_'") for char in name.strip())
