"""Task data as canonical JSON, without SpiffWorkflow's serializer registry where the data is plain JSON already.

The stored text must stay byte for byte what ``registry_json`` gives (the registry's ``convert(clean(data))``, then
``dumps``): stored cases restore from it and replay verifies against it. Two shortcuts keep to that.

* ``marshal`` (version 2: no references, no interning flags) takes only exact built-in types — it refuses
  subclasses, datetimes, callables, modules and other objects — and writes them type for type (``1``, ``1.0`` and
  ``True`` differ, so do ``0.0`` and ``-0.0``). Equal marshalled bytes therefore mean data that encodes the same,
  so the bytes key a content-addressed memo of the JSON text: a child task's data is a copy of its parent's, and a
  live task's data is encoded again at every step. The memo never trusts object identity, so data changed in place
  between steps is simply new content.
* Data made only of the exact types ``dict``, ``list``, ``tuple``, ``str``, ``int``, ``float``, ``bool`` and ``None``
  is what the registry returns unchanged (it converts registered classes, drops callables and modules from dicts and
  rebuilds lists and tuples as they were), so it is encoded directly. Anything else — sets, bytes, datetimes,
  subclasses, callables — goes through the registry as before: the whole data, or only the top-level values that
  need it, exactly as the registry's own dict walk converts them one by one.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import threading
from types import ModuleType
from typing import Any, NamedTuple

from engine.bpmn.specs import SERIALIZER

_REGISTRY = SERIALIZER.registry
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_SCALARS = frozenset((str, int, float, bool, type(None)))
_NATIVE = frozenset((*_SCALARS, dict, list, tuple))
_MARSHAL_VERSION = 2  # versions 3+ write references and interning that depend on refcounts, not content
_MEMO_CHARS = 4_000_000  # bytes of keys plus characters of JSON kept in the memo
# Containers nested in a task's data. Deeper data could be written (C json) but never restored (the registry
# recurses per level), so a step that makes it fails instead; command input (at most MAX_DEPTH levels) still fits
# when a model keeps it a few levels down.
MAX_DATA_DEPTH = 100


class NotJsonNative(Exception):
    """Raised by the direct encoder for an object the registry has to convert first."""


class DataTooDeep(ValueError):
    """Task data nested deeper than ``MAX_DATA_DEPTH``: refused before it is encoded or stored."""


def check_nesting(data: Any) -> None:
    """Raise DataTooDeep when ``data`` holds dicts, lists or tuples nested more than ``MAX_DATA_DEPTH`` deep.
    Iterative, so data deeper than the interpreter's recursion limit is refused too; scalars are not visited."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DATA_DEPTH:
            raise DataTooDeep(f"data nested more than {MAX_DATA_DEPTH} levels deep (lists and objects inside each"
                              " other) cannot be stored")
        for child in node.values() if type(node) is dict else node:
            kind = type(child)
            if kind is dict or kind is list or kind is tuple:
                stack.append((child, depth + 1))


def _checked(data: Any) -> Any:
    kind = type(data)
    if kind is dict or kind is list or kind is tuple:
        check_nesting(data)
    return data


def _refuse(value: Any) -> Any:
    raise NotJsonNative(type(value).__name__)


_ENCODE_NATIVE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                  default=_refuse).encode


class Encoded(NamedTuple):
    """Task data as stored: canonical JSON and its SHA-256 (hex)."""

    text: str
    sha256: str


def dumps(value: Any) -> str:
    """Compact, key-sorted JSON (stable text for hashing)."""
    if not value and isinstance(value, dict):
        return "{}"
    return _ENCODE(value)


def registry_json(data: Any) -> str:
    """Task data through SpiffWorkflow's serializer registry, then ``dumps``: the reference encoding."""
    if isinstance(data, dict) and all(type(v) in _SCALARS for v in data.values()):
        return dumps(data)  # flat JSON: the registry would return it unchanged
    return dumps(_REGISTRY.convert(_REGISTRY.clean(data)))


def is_native(value: Any) -> bool:
    """Whether ``value`` is built only of the exact JSON-native types (tuples included, keys not looked at)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is dict:
        return all(map(is_native, value.values()))
    if kind is list or kind is tuple:
        return all(map(is_native, value))
    return False


def _shortcuts_allowed() -> bool:
    # Should a native type ever be registered, or the registry be switched to its shallow encoder mode, only the
    # registry knows the encoding.
    return not getattr(_REGISTRY, "_encoder_mode", False) and _NATIVE.isdisjoint(_REGISTRY.typenames)


def data_json(data: Any) -> str:
    """``registry_json(data)``, byte for byte, without the registry for plain JSON and with the memo."""
    return encode_data(data).text


def encode_data(data: Any) -> Encoded:
    """``registry_json(data)`` and its SHA-256, from the memo when the same content was encoded before.
    DataTooDeep for data nested more than ``MAX_DATA_DEPTH`` deep (checked once per content: a memo hit was)."""
    if not data and type(data) is dict:
        return _EMPTY
    if not _shortcuts_allowed():
        return _hashed(registry_json(_checked(data)))
    try:
        key = marshal.dumps(data, _MARSHAL_VERSION)
    except ValueError:  # an object marshal refuses (datetime, subclass, callable…) or nesting too deep
        return _hashed(_mixed_json(_checked(data)))
    found = _MEMO.get(key)
    if found is None:
        _checked(data)
        try:
            found = _hashed(_ENCODE_NATIVE(data))
        except (NotJsonNative, TypeError, ValueError):
            # Sets, bytes and the like: the registry's result or the registry path's own error, not remembered
            # (marshal writes bytes, bytearray and memoryview alike; only native content is keyed safely).
            return _hashed(registry_json(data))
        _MEMO.put(key, found)
    return found


def _hashed(text: str) -> Encoded:
    return Encoded(text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _mixed_json(data: Any) -> str:
    """Plain top-level values directly, the others through the registry one by one (as its dict walk does)."""
    if type(data) is not dict or not all(type(key) is str for key in data):
        return registry_json(data)
    parts = [_ENCODE(key) + ":" + _value_json(value) for key, value in sorted(data.items())
             if not callable(value) and not isinstance(value, ModuleType)]
    return "{" + ",".join(parts) + "}"


def _value_json(value: Any) -> str:
    if is_native(value):
        return _ENCODE(value)
    return _ENCODE(_REGISTRY.convert(value))  # ``convert`` cleans the dicts nested in it itself


class _Memo:
    """Marshalled data -> its encoding, bounded; the oldest entries go first. Shared by threads."""

    def __init__(self, max_chars: int) -> None:
        self._items: dict[bytes, Encoded] = {}
        self._chars = 0
        self._max_chars = max_chars
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Encoded | None:
        """The encoding kept for ``key``, or None."""
        return self._items.get(key)

    def put(self, key: bytes, value: Encoded) -> None:
        """Keep ``value`` for ``key`` (not a blob over a sixteenth of the memo), dropping the oldest beyond the cap."""
        size = len(key) + len(value.text)
        if size > self._max_chars // 16:
            return  # a huge blob would push out many small ones
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._chars += size
            while self._chars > self._max_chars:
                oldest = next(iter(self._items))
                self._chars -= len(oldest) + len(self._items.pop(oldest).text)

    def clear(self) -> None:
        """Forget everything (tests; a registry change)."""
        with self._lock:
            self._items.clear()
            self._chars = 0


_MEMO = _Memo(_MEMO_CHARS)
_EMPTY = _hashed("{}")
