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

_RESOLVER: ContextVar[TypeResolver | None] = ContextVar("feel_type_resolver", default=None)


@contextmanager
def resolving(resolver: TypeResolver) -> Iterator[None]:
    """Evaluations inside ask ``resolver`` about type names FEEL does not know."""
    token = _RESOLVER.set(resolver)
    try:
        yield
    finally:
        _RESOLVER.reset(token)


def resolve(name: str, value: Any) -> bool | None:
    """Whether ``value`` is an instance of the type ``name`` per the active resolver (None: unknown)."""
    resolver = _RESOLVER.get()
    return None if resolver is None else resolver(name, value)
