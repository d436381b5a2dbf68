"""Type conformance between two types (DMN 1.5 §10.3.2.9.1): whether every value of ``sub`` is a value of
``sup``. Used by ``instance of`` for function types: a function conforms to ``function<T1…Tn> -> R`` when each
Ti conforms to the function's own parameter type (contravariance: the function accepts at least what the type
promises to pass) — the result type of a FEEL function literal is not declared, so it is not compared.
"""

from __future__ import annotations

from decimal import Decimal

from feel import nodes as n
from feel.nodes import TypeRef

_BUILT_IN = frozenset(
    {"number", "string", "boolean", "date", "time", "date and time", "days and time duration",
     "years and months duration", "list", "context", "range", "function"}
)  # fmt: skip


def conforms(sub: TypeRef | None, sup: TypeRef | None) -> bool:
    """Whether type ``sub`` conforms to type ``sup`` (None stands for an undeclared type: Any)."""
    if sup is None or sup.name == "Any" or (sub is not None and sub.name == "Null"):
        return True
    if sub is None or sub.name == "Any":
        return False
    if sub.name not in _BUILT_IN or sup.name not in _BUILT_IN:
        return True  # an item definition's name: its structure is the model's, so it is not refused here
    if sub.name != sup.name:
        return False
    if sup.name in ("list", "range"):
        return not sup.args or conforms(sub.args[0] if sub.args else None, sup.args[0])
    if sup.name == "context":
        entries = dict(zip(sub.keys, sub.args, strict=True))
        return all(key in entries and conforms(entries[key], kind)
                   for key, kind in zip(sup.keys, sup.args, strict=True))
    if sup.name == "function":
        return function_conforms(sub.args, sub.result, sup)
    return True


def function_conforms(params: tuple[TypeRef | None, ...], result: TypeRef | None, sup: TypeRef) -> bool:
    """Whether a function with parameter types ``params`` and result type ``result`` (None: undeclared)
    conforms to the function type ``sup``: as many parameters, each of ``sup``'s conforming to the function's
    own (contravariant), and a declared result conforming to ``sup``'s (covariant)."""
    if len(params) != len(sup.args):
        return False
    if not all(conforms(wanted, own) for wanted, own in zip(sup.args, params, strict=True)):
        return False
    return result is None or sup.result is None or conforms(result, sup.result)


def literal_type(node: n.Node) -> TypeRef | None:
    """The type of a function body written as a literal — a string, number or boolean, or a context of such —
    so ``function<…> -> R`` can compare it; None (not compared) for any other body."""
    if isinstance(node, n.Literal) and node.value is not None:
        kind = {str: "string", bool: "boolean", Decimal: "number"}.get(type(node.value))
        return None if kind is None else TypeRef(kind)
    if isinstance(node, n.ContextNode):
        types = [literal_type(value) for _, value in node.entries]
        if all(kind is not None for kind in types):
            return TypeRef("context", tuple(kind for kind in types if kind is not None),
                           tuple(key for key, _ in node.entries))
    return None
