"""Context built-ins (DMN 1.5 §10.3.4.8 and §10.3.4.1): get value, get entries, context, context put, context merge."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from feel.builtins._registry import Registry, a_list, text

functions = Registry()


def _context(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("not a context")
    return value


@functions("get value", "m", "key")
def get_value(context: Any, key: Any) -> Any:
    """get value(m, key): the entry's value, null when absent; ``key`` may be a list of keys (a path)."""
    if isinstance(key, list):
        value: Any = context
        for part in key:
            value = _context(value).get(text(part))
        return value
    return _context(context).get(text(key))


@functions("get entries", "m")
def get_entries(context: Any) -> list[dict[str, Any]]:
    """get entries(m): a list of ``{key, value}`` contexts, in the context's order."""
    return [{"key": key, "value": value} for key, value in _context(context).items()]


@functions("context", "entries")
def context_of(entries: Any) -> dict[str, Any]:
    """context(entries): a context from ``{key, value}`` contexts (one context alone is a list of one)."""
    items = entries if isinstance(entries, list) else [entries]
    result: dict[str, Any] = {}
    for entry in items:
        found = _context(entry)
        if "key" not in found or "value" not in found:
            raise KeyError("an entry needs a key and a value")
        key = text(found["key"])
        if key in result:
            raise ValueError(f"the key {key!r} twice")
        result[key] = found["value"]
    return result


def _put(context: dict[str, Any], keys: list[Any], value: Any) -> dict[str, Any]:
    """A copy of ``context`` with ``value`` at the path ``keys`` (copies along the path; no recursion)."""
    names = [text(key) for key in keys]
    result = dict(context)
    inner = result
    for name in names[:-1]:
        inner[name] = dict(_context(inner.get(name, {})))
        inner = inner[name]
    inner[names[-1]] = value
    return result


@functions("context put", "context", "key", "value", "keys")
def context_put(context: Any, key: Any, value: Any, keys: Any = None) -> dict[str, Any]:
    """context put(context, key, value) or context put(context, keys, value): a copy with the entry set; the
    keys (a list) are a path into nested contexts."""
    if keys is not None:
        if key is not None:
            raise TypeError("a key or keys, not both")
        key = a_list(keys)
    keys = a_list(key) if isinstance(key, list) else [key]
    if not keys:
        raise ValueError("no keys")
    return _put(_context(context), keys, value)


@functions("context merge", "contexts")
def context_merge(contexts: Any) -> dict[str, Any]:
    """context merge(contexts): the contexts' entries together, later ones winning."""
    result: dict[str, Any] = {}
    for context in a_list(contexts):
        result.update(_context(context))
    return result


# context put(context, key, value) and context put(context, keys, value) are one built-in here (a positional
# list is the keys); named, the parameter says which is meant: key: must not be a list (DMN 1.5 §10.3.4.8)
functions.functions["context put"] = replace(
    functions.functions["context put"], takes_named=lambda given: not isinstance(given.get("key"), list)
)

FUNCTIONS = functions.functions
