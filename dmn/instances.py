"""``value instance of tName`` where tName is one of the model's item definitions (DMN 1.5 §10.3.2.9.1).

Type conformance, not conversion: a value is an instance of an item definition when its kind is the
definition's base type (allowed values are not considered: ``256 instance of t255`` is true for a t255 of
``[0..255]``), a structure has every component (more entries are fine) each conforming or null, a collection
is a list whose every item conforms (``[]`` conforms to any collection, ``1`` to none: nothing is wrapped), and
a function item is a function taking as many parameters as it declares. FEEL asks this module through
``feel.types.resolving`` for the type names it does not know itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import feel
from dmn import model as m
from dmn.types import BUILTIN_TYPES, Conformance
from feel import types, values
from feel.conformance import function_conforms
from feel.nodes import TypeRef

_DEPTH = 20  # item definitions naming each other are followed this far (recursive types are cut there)


@contextmanager
def resolving(conformance: Conformance) -> Iterator[None]:
    """FEEL evaluated inside resolves type names to the item definitions ``conformance`` looks up."""

    def resolve(name: str, value: Any) -> bool | None:
        definition = conformance.lookup(name)
        return None if definition is None else is_instance(conformance, value, definition)

    def convert(name: str, value: Any) -> tuple[bool, Any] | None:
        # a parameter declared with an item definition (``function(a: tName)``) binds what conforms to it,
        # allowed values included, with the singleton-list conversions
        if conformance.lookup(name) is None:
            return None
        converted, error = conformance.coerce(value, name)
        return error is None, converted

    with types.resolving(resolve, convert):
        yield


def is_instance(conformance: Conformance, value: Any, definition: m.ItemDefinition, depth: int = 0) -> bool:
    """Whether ``value`` conforms to ``definition`` (null conforms to no type)."""
    if value is None or depth > _DEPTH:
        return False
    if definition.is_collection:
        single = replace(definition, is_collection=False, allowed_values=None, type_constraint=None)
        return isinstance(value, list) and all(
            item is None or is_instance(conformance, item, single, depth + 1) for item in value
        )
    if definition.is_function:
        return isinstance(value, values.FeelFunction) and (value.variadic or _function_fits(value, definition))
    if definition.components:
        return isinstance(value, dict) and all(
            component.name in value
            and (value[component.name] is None or is_instance(conformance, value[component.name], component, depth + 1))
            for component in definition.components
        )
    return _of_type(conformance, value, definition.type_ref, depth)


def _function_fits(value: values.FeelFunction, definition: m.ItemDefinition) -> bool:
    # as many parameters, each declared type conforming to the function's own (a lambda's types are FEEL's)
    result = None if definition.function_output is None else _type_ref(definition.function_output)
    wanted = TypeRef("function", tuple(_type_ref(p.type_ref) for p in definition.function_parameters), (), result)
    own = value.param_types or (None,) * len(value.params)
    return function_conforms(tuple(own), value.result_type, wanted)


def _type_ref(ref: str | None) -> TypeRef:
    kind = None if ref is None else BUILTIN_TYPES.get(ref.strip(), ref.strip())
    return TypeRef("Any" if kind is None else kind)


def _of_type(conformance: Conformance, value: Any, ref: str | None, depth: int) -> bool:
    if ref is None:
        return True  # no base type: Any
    ref = ref.strip()
    if ref in BUILTIN_TYPES:
        kind = BUILTIN_TYPES[ref]
        actual = values.type_name(value)
        return kind is None or actual == kind or (kind == "duration" and actual.endswith("duration"))
    if ref.startswith(("list<", "context<", "range<", "function<")):
        return feel.evaluate(f"value instance of {ref}", {"value": value}) is True
    definition = conformance.lookup(ref)
    return True if definition is None else is_instance(conformance, value, definition, depth + 1)
