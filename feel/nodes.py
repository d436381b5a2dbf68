"""The FEEL abstract syntax tree: what ``feel.parser`` produces and ``feel.evaluator`` compiles to closures."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


class Node:
    """A FEEL expression node."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number (Decimal), string, boolean or null written in the text."""

    value: Any


@dataclass(frozen=True, slots=True)
class AtLiteral(Node):
    """A temporal literal ``@"2024-01-01"``; ``text`` is the string inside."""

    text: str


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A reference to a name in scope (``?`` in unary tests too)."""

    name: str


@dataclass(frozen=True, slots=True)
class Path(Node):
    """``base.member``: a context entry, a temporal value's component, a projection over a list."""

    base: Node
    member: str


@dataclass(frozen=True, slots=True)
class Descendants(Node):
    """``base...member``: the non-null values of every entry named ``member`` at any depth, in document order."""

    base: Node
    member: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    """``base[condition]``: a boolean filter over a list or a (1-based, negative from the end) index."""

    base: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function invocation with positional ``args`` or ``named`` arguments."""

    callee: Node
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] | None = None


@dataclass(frozen=True, slots=True)
class Negation(Node):
    """Arithmetic negation ``-x``."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    """``+ - * / **``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    """``= != < <= > >=``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """``and`` / ``or`` (three-valued)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    """``value between low and high``."""

    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class RangeNode(Node):
    """A range: ``[a..b)``, ``]a..b]`` or a one-sided ``< e`` / ``>= e`` (the missing end is None)."""

    start: Node | None
    end: Node | None
    start_included: bool
    end_included: bool


@dataclass(frozen=True, slots=True)
class In(Node):
    """``value in test`` or ``value in (test, test…)``: positive unary tests."""

    value: Node
    tests: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A type in ``instance of`` or a typed parameter: ``number``, ``list<T>``, ``context<a: T>``…"""

    name: str
    args: tuple[TypeRef, ...] = ()
    keys: tuple[str, ...] = ()  # context<key: type…>: the keys, args the types
    result: TypeRef | None = None  # function<…> -> result


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    """``value instance of type``."""

    value: Node
    type: TypeRef


@dataclass(frozen=True, slots=True)
class If(Node):
    """``if c then a else b``."""

    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Iteration:
    """``name in domain`` or ``name in start..end`` of a for or quantified expression."""

    name: str
    domain: Node
    end: Node | None = None


@dataclass(frozen=True, slots=True)
class For(Node):
    """``for x in …, y in … return body``; ``uses_partial`` when the body reads ``partial``."""

    iterations: tuple[Iteration, ...]
    body: Node
    uses_partial: bool = False


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    """``some``/``every x in … satisfies condition``."""

    kind: str
    iterations: tuple[Iteration, ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class FunctionDefinition(Node):
    """``function(a, b: number) body``."""

    params: tuple[str, ...]
    types: tuple[TypeRef | None, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class ListNode(Node):
    """``[a, b, c]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextNode(Node):
    """``{a: 1, "b c": a + 1}``: entries see the earlier ones."""

    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class UnaryTests:
    """Parsed unary tests: ``-`` (any), a list of positive tests, possibly negated by ``not(…)``."""

    tests: tuple[Node, ...] = field(default=())
    negated: bool = False
    any: bool = False


def mentions(node: Any, name: str) -> bool:
    """True when the AST under ``node`` refers to ``name`` (``?`` in a unary test)."""
    if isinstance(node, Name):
        return node.name == name
    if isinstance(node, tuple | list):
        return any(mentions(item, name) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return any(mentions(getattr(node, field.name), name) for field in dataclasses.fields(node))
    return False
