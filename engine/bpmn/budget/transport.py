"""Between parent and worker: pickle parent -> child, tagged JSON child -> parent, length-prefixed frames."""

from __future__ import annotations

import json
import os
import select
import struct
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from engine.bpmn.budget.limits import MIB, Opaque, ScriptWorkerError

# --------------------------------------------------------------------------------------------------
# Transport: pickle parent -> child, tagged JSON child -> parent.
# --------------------------------------------------------------------------------------------------

_MAX_DEPTH = 200


def to_json(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of ``value``; tuples, sets, dates and non-string keys are tagged ``{"$x": ...}``.

    Shared sub-objects are expanded (JSON is a tree), so this runs inside the worker's budget.
    """
    kind = type(value)
    if value is None or kind in (str, bool, int, float):
        return value
    if depth > _MAX_DEPTH:
        return {"$o": "too deeply nested"}
    if kind is list:
        return [to_json(v, depth + 1) for v in value]
    if kind is dict:
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: to_json(v, depth + 1) for k, v in value.items()}
        return {"$d": [[to_json(k, depth + 1), to_json(v, depth + 1)] for k, v in value.items()]}
    if kind in (tuple, set, frozenset):
        return {"$" + kind.__name__: [to_json(v, depth + 1) for v in value]}
    if kind in (datetime, date, dtime):
        return {"$" + kind.__name__: value.isoformat()}
    if kind is timedelta:
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    return {"$o": kind.__name__}


_TAGS: dict[str, Callable[[Any], Any]] = {
    "$d": lambda pairs: {_hashable(k): v for k, v in pairs},
    "$tuple": tuple, "$set": lambda v: set(map(_hashable, v)), "$frozenset": lambda v: frozenset(map(_hashable, v)),
    "$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$time": dtime.fromisoformat,
    "$timedelta": lambda v: timedelta(*v), "$o": Opaque,
}


def _hashable(value: Any) -> Any:
    if isinstance(value, list | dict):
        raise ScriptWorkerError("the script worker sent an unhashable key")
    return value


def _json_hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key in _TAGS:
            return _TAGS[key](value)
    return obj


_DECODER = json.JSONDecoder(object_hook=_json_hook)


def from_json(data: bytes) -> Any:
    """Decode what :func:`to_json` made (in the parent: plain data, never code)."""
    return _DECODER.decode(data.decode())


_HEADER = struct.Struct(">I")


def write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    """Read ``size`` bytes; TimeoutError at ``deadline`` (monotonic), EOFError if the other side died."""
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, MIB))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None, max_size: int | None = None) -> bytes:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if max_size is not None and size > max_size:
        raise ScriptWorkerError(f"the script worker sent {size:,} bytes")
    return _read_exact(fd, size, deadline)
