"""Type names FEEL itself does not know: a DMN model's item definitions (``x instance of tLoan``).

The language knows ``number``, ``list<T>`` and the other built-in types; a name it does not know is asked of
the resolver set around the evaluation (``with resolving(resolver):``, as the DMN layer does for its item
definitions). Without a resolver, or when the resolver answers None, an unknown type is no type: ``instance of``
is false, and a parameter declared with it accepts any value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

#: (type name, value) → whether the value is an instance of the named type; None when the name is unknown
TypeResolver = Callable[[str, Any], bool | None]
#: (type name, value) → (conforms, the value converted to the type) for a parameter declared with that type;
#: None when the name is unknown. Unlike ``instance of``, this honours the type's allowed values.
TypeConverter = Callable[[str, Any], "tuple[bool, Any] | None"]

_RESOLVER: ContextVar[TypeResolver | None] = ContextVar("feel_type_resolver", default=None)
_CONVERTER: ContextVar[TypeConverter | None] = ContextVar("feel_type_converter", default=None)


@contextmanager
def resolving(resolver: TypeResolver, converter: TypeConverter | None = None) -> Iterator[None]:
    """Evaluations inside ask ``resolver`` about type names FEEL does not know (and ``converter``, when given,
    binds arguments to parameters declared with them)."""
    token = _RESOLVER.set(resolver)
    converter_token = _CONVERTER.set(converter)
    try:
        yield
    finally:
        _CONVERTER.reset(converter_token)
        _RESOLVER.reset(token)


def resolve(name: str, value: Any) -> bool | None:
    """Whether ``value`` is an instance of the type ``name`` per the active resolver (None: unknown)."""
    resolver = _RESOLVER.get()
    return None if resolver is None else resolver(name, value)


def convert(name: str, value: Any) -> tuple[bool, Any] | None:
    """A parameter's argument made to conform to the type ``name`` per the active converter: (conforms, value);
    None when there is no converter or it does not know the name."""
    converter = _CONVERTER.get()
    return None if converter is None else converter(name, value)
