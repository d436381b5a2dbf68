"""The DMN TCK's test-case values (testCases.xsd ``valueType``) as FEEL values, and the kit's comparison of an
expected value with a computed one (numbers by decimal value within 1e-8, dates and times by value, contexts
and lists item by item)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from feel import temporal, values

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


class Untyped(str):
    """A ``<value>`` without ``xsi:type``: its meaning comes from the model (an input's typeRef) or from the
    computed value it is compared with."""

    __slots__ = ()


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return values.number(number) if number.is_finite() else None


_SIMPLE: dict[str, Callable[[str], Any]] = {
    "string": str,
    "decimal": _number, "double": _number, "float": _number, "integer": _number, "int": _number,
    "long": _number, "short": _number,
    "boolean": lambda text: text.strip() == "true",
    "date": lambda text: temporal.parse_date(text.strip()),
    "dateTime": lambda text: temporal.parse_date_time(text.strip()),
    "time": lambda text: temporal.parse_time(text.strip()),
    "duration": lambda text: temporal.parse_duration(text.strip()),
    "dayTimeDuration": lambda text: temporal.parse_days_time(text.strip()),
    "yearMonthDuration": lambda text: temporal.parse_years_months(text.strip()),
}


def read_value(node: etree._Element) -> Any:
    """The FEEL value of an element of the kit's ``valueType``: ``value``, ``component``s or ``list``."""
    components = {
        component.get("name") or "": read_value(component)
        for component in node
        if isinstance(component.tag, str) and _local(component) == "component"
    }
    if components:  # some of the kit's files write a nil <value/> before the components: the components count
        return components
    for item in node:
        if not isinstance(item.tag, str):
            continue
        name = _local(item)
        if name == "value":
            return _simple(item)
        if name == "list":
            return [read_value(entry) for entry in item if isinstance(entry.tag, str) and _local(entry) == "item"]
    return None


def _simple(item: etree._Element) -> Any:
    if (item.get(XSI_NIL) or "").strip() == "true":
        return None
    text = item.text or ""
    kind = (item.get(XSI_TYPE) or "").rpartition(":")[2]
    if not kind:
        return Untyped(text)
    reader = _SIMPLE.get(kind)
    return reader(text) if reader else text


def typed_input(value: Any, shape: Any, *, in_list: bool = False) -> Any:
    """An input value with untyped text read as the input data's declared type (``dmn.Model.input_type``'s
    shape: a kind, {component: shape} or [item shape]), at every depth. A single value given for a collection
    is wrapped, except as an item of a list (a list of lists may hold plain items, as the kit's 0009 does)."""
    if isinstance(value, list):
        item = shape[0] if isinstance(shape, list) and shape else None
        return [typed_input(entry, item, in_list=True) for entry in value]
    if isinstance(value, dict):
        return {key: typed_input(entry, shape.get(key) if isinstance(shape, dict) else None)
                for key, entry in value.items()}
    if not isinstance(value, Untyped):
        return value
    if isinstance(shape, list):  # one value given for a collection
        inner = typed_input(value, shape[0] if shape else None)
        return inner if in_list else [inner]
    if shape == "number":
        return _number(value)
    if shape == "boolean":
        return value.strip() == "true"
    if shape in {"date", "time", "date and time", "days and time duration", "years and months duration"}:
        parsed = temporal.parse_any(value.strip())
        return parsed if parsed is not None else str(value)
    return str(value)


def same(expected: Any, actual: Any) -> bool:
    """True when the computed value matches the expected one as the kit compares them."""
    if isinstance(expected, Untyped):
        return _same_untyped(expected, actual)
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and expected.keys() == actual.keys()
                and all(same(expected[key], actual[key]) for key in expected))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(same(e, a) for e, a in zip(expected, actual, strict=True)))
    if isinstance(expected, Decimal):
        return isinstance(actual, Decimal) and _same_number(expected, actual)
    if isinstance(expected, bool | str):
        return type(actual) is type(expected) and actual == expected
    if temporal.is_temporal(expected):
        return (temporal.is_temporal(actual) and temporal.type_name(actual) == temporal.type_name(expected)
                and values.equal(expected, actual) is True)
    return values.equal(expected, actual) is True


# The kit's expected numbers were often computed in binary floating point (its reference runners accept a
# difference below 1e-8); gridcase computes in decimal128, so results differ in the last digits of such values
NUMBER_TOLERANCE = Decimal("0.00000001")


def _same_number(expected: Decimal, actual: Decimal) -> bool:
    try:
        return abs(expected - actual) < NUMBER_TOLERANCE
    except InvalidOperation:
        return False


def _same_untyped(expected: Untyped, actual: Any) -> bool:
    if actual is None:
        # the kit's older files write a null result as an empty <value/> (with a "null" comment)
        return not expected.strip()
    if isinstance(actual, str):
        return actual == str(expected)
    if isinstance(actual, bool):
        return expected.strip() == ("true" if actual else "false")
    if isinstance(actual, Decimal):
        number = _number(expected)
        return number is not None and _same_number(number, actual)
    if temporal.is_temporal(actual):
        parsed = temporal.parse_any(expected.strip())
        return parsed is not None and values.equal(parsed, actual) is True
    return False
