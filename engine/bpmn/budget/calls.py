"""What inline code may call: the builtins, their arities and keywords, and the methods and attributes it may use
(the classifier in ``plan`` applies these; the meter times and charges the calls listed in ``METERED_CALLS``)."""

from __future__ import annotations

import ast
import builtins
from typing import Any

from engine.bpmn.budget.statements import NotInline

# Builtins that may be called inline, with the positional arguments each takes (least, most): each costs at
# most n log n in its inputs and returns at most (a constant times) their size.  Any other arity is not
# inline: a third argument of isinstance() ran unclassified code.
# No set or frozenset: hashing integers that hash alike is quadratic in one C call (and a set of strings
# iterates in an order salted per process, which replay must not see).  zip/map take at most three
# iterables: zip(t, t, ... x200) builds a 200-tuple per item unseen.
ARITY: dict[str, tuple[int, int]] = {
    "abs": (1, 1), "all": (1, 1), "any": (1, 1), "bool": (0, 1), "callable": (1, 1), "chr": (1, 1),
    "complex": (0, 2), "dict": (0, 1), "divmod": (2, 2), "enumerate": (1, 2), "filter": (2, 2),
    "float": (0, 1), "hex": (1, 1), "int": (0, 2), "isinstance": (2, 2), "len": (1, 1), "list": (0, 1),
    "map": (2, 4), "max": (1, 16), "min": (1, 16), "oct": (1, 1), "ord": (1, 1), "reversed": (1, 1),
    "sorted": (1, 1), "sum": (1, 2), "tuple": (0, 1), "zip": (0, 3), "str": (0, 1), "repr": (1, 1),
    "ascii": (1, 1), "round": (1, 2),
}
SAFE_CALLS = frozenset(ARITY)
_KEYWORDS: dict[str, frozenset[str]] = {
    "sorted": frozenset({"key", "reverse"}), "max": frozenset({"key", "default"}),
    "min": frozenset({"key", "default"}), "enumerate": frozenset({"start"}), "int": frozenset({"base"}),
    "round": frozenset({"ndigits"}),
}
# dict(k=v, ...) takes any keywords: each is a name in the code, so their number is bounded by its size.
_ANY_KEYWORDS = frozenset({"dict"})
# ... whose value must not be passed around (map(repr, map(repr, ...)) would amplify unguarded).
CALL_ONLY = frozenset({"str", "repr", "ascii", "round"})
# Inline, calls of these go through the meter: it checks the time before each (one statement cannot run
# many long C calls unseen) and charges what they will build (list, tuple, sorted, dict, and the lazy
# enumerate/zip/map/filter that list() or sorted() would build without a known length).
METERED_CALLS = frozenset({"sorted", "sum", "min", "max", "list", "tuple", "dict", "enumerate", "zip", "map",
                           "filter", "reversed", "any", "all"})
SAFE_METHODS = frozenset({
    "get", "keys", "values", "items", "copy", "count", "index", "find", "rfind",
    "lower", "upper", "casefold", "title", "capitalize", "swapcase", "strip", "lstrip", "rstrip",
    "startswith", "endswith", "split", "rsplit", "splitlines", "partition", "rpartition",
    "removeprefix", "removesuffix", "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum",
    "isspace", "islower", "isupper", "istitle", "isascii",
    "isoformat", "date", "time", "timestamp", "total_seconds", "weekday", "isoweekday", "astimezone",
    "strftime", "floor", "ceil", "sqrt", "fabs", "trunc", "isclose", "isfinite", "isinf", "isnan",
    "log", "log2", "log10", "exp", "fsum", "hypot",
})
SAFE_ATTRS = frozenset({
    "year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "days", "seconds",
    "microseconds", "pi", "e", "tau", "inf", "nan", "real", "imag", "min", "max", "resolution",
})
TYPE_NAMES = frozenset({"str", "int", "float", "bool", "dict", "list", "tuple", "set", "frozenset", "complex"})


def check_builtin_call(name: str, node: ast.Call) -> None:
    """NotInline unless ``name(...)`` is a whitelisted builtin called with an arity and keywords it expects."""
    if name not in ARITY:
        raise NotInline(f"calls {name!r}")
    least, most = ARITY[name]
    if not least <= len(node.args) <= most:
        raise NotInline(f"{name}() with {len(node.args)} positional arguments")
    allowed = _KEYWORDS.get(name, frozenset())
    if name not in _ANY_KEYWORDS and any(k.arg not in allowed for k in node.keywords):
        raise NotInline(f"{name}() with keywords {sorted(str(k.arg) for k in node.keywords)}")
    if name == "sum" and len(node.args) > 1 and not _is_number(node.args[1]):
        raise NotInline("sum() with a non-numeric start")
    if name == "isinstance" and not is_type_names(node.args[1]):
        raise NotInline("isinstance() with a computed type")


def _is_number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def is_type_names(node: ast.expr) -> bool:
    """``str`` or ``(int, float)``: the second argument of an inline ``isinstance``."""
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    return bool(items) and all(isinstance(i, ast.Name) and i.id in TYPE_NAMES for i in items)


_DICT_ITEMS_INLINE = 1000  # dict(x) hashes x's keys: integers that hash alike make it quadratic; 1000 is ~25 ms
_TUPLE_BYTES, _REF_BYTES = 56, 8


def _length(value: Any) -> int | None:
    try:
        return len(value)
    except TypeError:  # an iterator (zip, map...): its own call was charged when it was made
        return None


def built_bytes(func: Any, args: tuple[Any, ...]) -> int | None:
    """Bytes a metered call (``METERED_CALLS``) will build from its arguments, at least roughly; None when
    inline must not run it (``dict()`` of an unsized or large iterable)."""
    name = getattr(func, "__name__", "")
    if func is not getattr(builtins, name, None):  # a helper of the same name: timed as a helper
        return 0
    lengths = [n for n in map(_length, args) if n is not None]
    if name == "dict":
        if not args:
            return 0
        size = _length(args[0])
        return None if size is None or size > _DICT_ITEMS_INLINE else 100 * size
    if not lengths:
        return 0
    if name in ("list", "tuple", "sorted", "map", "filter"):
        return _REF_BYTES * max(lengths)
    if name == "enumerate":
        return (_TUPLE_BYTES + 32) * lengths[0]
    if name == "zip":
        return (_TUPLE_BYTES + _REF_BYTES * len(args)) * min(lengths)
    return 0  # sum, min, max, any, all, reversed: nothing built
