"""typeRefs: the FEEL built-in types and item definitions, and how a value is made to conform to one.

DMN 1.5 §7.3.4 and §10.3.2.9: a value of the declared type passes; a singleton list given where a single value
is declared is unwrapped, a single value given where a collection is declared is wrapped; anything else that
does not conform (wrong kind, outside the allowed values) becomes null, with a message saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import feel
from dmn import model as m
from feel import temporal, values

_TEMPORAL_KINDS = frozenset({"date", "time", "date and time", "days and time duration", "years and months duration"})
BUILTIN_TYPES: dict[str, str | None] = {
    "number": "number", "decimal": "number", "integer": "number", "double": "number",
    "string": "string", "boolean": "boolean",
    "date": "date", "time": "time", "dateTime": "date and time", "date and time": "date and time",
    "dayTimeDuration": "days and time duration", "days and time duration": "days and time duration",
    "yearMonthDuration": "years and months duration", "years and months duration": "years and months duration",
    "duration": "duration",
    "context": "context", "list": "list", "function": "function", "range": "range",
    "Any": None, "any": None, "Null": None,
}

Lookup = Callable[[str], "m.ItemDefinition | None"]


class Conformance:
    """Makes values conform to typeRefs of one model; ``lookup`` finds item definitions by (qualified) name."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup

    def coerce(self, value: Any, ref: str | None, *, from_input: bool = False) -> tuple[Any, str | None]:
        """``value`` made to conform to ``ref``: (value, None), or (None, why not). ``from_input`` also reads
        ISO strings given for temporal types (``"2016-12-01"`` for a date)."""
        if value is None or ref is None:
            return value, None
        ref = ref.strip()
        if ref in BUILTIN_TYPES:
            return _builtin(value, BUILTIN_TYPES[ref], from_input)
        if ref.startswith(("list<", "context<", "range<", "function<")):
            kind = ref.split("<", 1)[0]
            return _builtin(value, kind, from_input)
        definition = self.lookup(ref)
        if definition is None:
            return value, None  # a type gridcase does not know is taken as Any
        return self.item(value, definition, from_input)

    def item(self, value: Any, definition: m.ItemDefinition, from_input: bool = False) -> tuple[Any, str | None]:
        """``value`` made to conform to an item definition."""
        if value is None:
            return None, None
        if definition.is_collection:
            return self._collection(value, definition, from_input)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if definition.is_function:
            ok = isinstance(value, values.FeelFunction)
            return (value, None) if ok else (None, f"{_show(value)} is not a function ({definition.name})")
        if definition.components:
            return self._structure(value, definition, from_input)
        # a type's own allowed values replace those of the type it is based on (DMN 1.5 §7.3.4)
        base = self.base_builtin(definition.type_ref) if definition.allowed_values else definition.type_ref
        value, error = self.coerce(value, base, from_input=from_input)
        if error:
            return None, error
        return _allowed(value, definition)

    def _collection(self, value: Any, definition: m.ItemDefinition, from_input: bool) -> tuple[Any, str | None]:
        # DMN 1.5: typeConstraint tests each item and allowedValues the list; before it (no typeConstraint)
        # allowedValues tested each item
        items = value if isinstance(value, list) else [value]
        item_tests = definition.type_constraint or definition.allowed_values
        single = m.ItemDefinition(definition.name, definition.type_ref, item_tests, False, definition.components,
                                  definition.is_function)
        nested = self._is_collection(definition.type_ref)
        result = []
        for item in items:
            if nested and item is not None and not isinstance(item, list):
                # the singleton-list conversion binds a whole value, not the items inside it: a list of lists
                # may hold plain items ([["w", "x"], "y"] stays as written, as the TCK's 0009 expects)
                result.append(item)
                continue
            converted, error = self.item(item, single, from_input)
            if error:
                return None, error
            result.append(converted)
        if definition.type_constraint and definition.allowed_values:
            return _allowed(result, definition)
        return result, None

    def _is_collection(self, ref: str | None) -> bool:
        definition = None if ref is None or ref in BUILTIN_TYPES else self.lookup(ref)
        return definition is not None and definition.is_collection

    def base_builtin(self, ref: str | None) -> str | None:
        """The built-in type an item definition chain ends in (None: Any or unknown)."""
        for _ in range(20):  # a chain of item definitions, cut short if it loops
            if ref is None or ref in BUILTIN_TYPES:
                return ref
            definition = self.lookup(ref)
            if definition is None or definition.components or definition.is_collection:
                return ref
            ref = definition.type_ref
        return None

    def shape(self, ref: str | None, depth: int = 0) -> Any:
        """The shape of a typeRef: a built-in kind, {component: shape} for structures, [shape] for collections,
        None for Any or unknown types (a chain deeper than 20 is cut: recursive types)."""
        if ref is None or depth > 20:
            return None
        if ref in BUILTIN_TYPES:
            return BUILTIN_TYPES[ref]
        definition = self.lookup(ref)
        return None if definition is None else self._item_shape(definition, depth + 1)

    def _item_shape(self, definition: m.ItemDefinition, depth: int) -> Any:
        if definition.is_collection:
            single = m.ItemDefinition(definition.name, definition.type_ref, None, False, definition.components)
            return [self._item_shape(single, depth + 1)]
        if definition.components:
            return {component.name: self._item_shape(component, depth + 1) for component in definition.components}
        return self.shape(definition.type_ref, depth + 1)

    def function_type(self, ref: str | None) -> m.ItemDefinition | None:
        """The function item definition ``ref`` names, if it names one."""
        definition = None if ref is None else self.lookup(ref)
        return definition if definition is not None and definition.is_function else None

    def _structure(self, value: Any, definition: m.ItemDefinition, from_input: bool) -> tuple[Any, str | None]:
        if not isinstance(value, dict):
            return None, f"{_show(value)} is not a context of type {definition.name!r}"
        result = dict(value)
        for component in definition.components:
            if component.name not in value:
                if from_input:
                    continue  # an input may leave a component out (it reads as null)
                # a context without one of the type's entries does not conform to it (DMN 1.5 §10.3.2.9.1)
                return None, f"{_show(value)} has no {component.name!r} ({definition.name})"
            converted, error = self.item(value[component.name], component, from_input)
            if error:
                return None, f"{definition.name}.{component.name}: {error}"
            result[component.name] = converted
        return result, None


def _allowed(value: Any, definition: m.ItemDefinition) -> tuple[Any, str | None]:
    if value is None or not definition.allowed_values:
        return value, None
    tests = feel.compile_unary_tests(definition.allowed_values)
    if tests.matches(value, {}):
        return value, None
    return None, f"{_show(value)} is not among the allowed values of {definition.name!r} ({definition.allowed_values})"


def _builtin(value: Any, kind: str | None, from_input: bool) -> tuple[Any, str | None]:
    if kind is None:
        return value, None
    if kind != "list" and isinstance(value, list) and len(value) == 1:
        value = value[0]
    if kind == "list" and not isinstance(value, list):
        value = [value]
    if from_input and isinstance(value, str) and kind in _TEMPORAL_KINDS | {"duration"}:
        parsed = temporal.parse_any(value)
        value = parsed if parsed is not None else value
    actual = _kind(value)
    if actual == kind or (kind == "duration" and actual.endswith("duration")):
        return value, None
    if kind == "date and time" and actual == "date":
        converted = _date_to_date_time(value)
        if converted is not None:
            return converted, None
    return None, f"{_show(value)} is a {actual}, not a {kind}"


def _date_to_date_time(value: Any) -> Any:
    # DMN 1.5 §10.3.2.9.4: a date where a date and time is declared is that date at midnight UTC
    return temporal.parse_any(f"{temporal.to_iso(value)}T00:00:00Z")


def _kind(value: Any) -> str:
    try:
        return values.type_name(value)
    except feel.FeelError:
        return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, Decimal | bool | str):
        return repr(values.to_json(value))
    try:
        return values.to_string(value)[:60]
    except (feel.FeelError, TypeError, ValueError):
        return type(value).__name__
