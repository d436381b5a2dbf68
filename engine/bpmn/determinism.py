"""What keeps diagram code deterministic: the same inputs give the same data in every process, every run.

Replay (``gridcase replay verify``) re-runs a case's scripts in another process, maybe on another host, and
expects the same events. So nothing a script can reach may differ from run to run:

* ``hash()`` (string hashes are salted per process) and ``id()`` (memory addresses) are refused by name;
* the text of functions, methods, iterators and other objects holds a memory address
  (``<function now at 0x7f…>``): ``str``, ``repr``, f-strings, ``%``-formatting and ``print`` refuse it,
  and the text of an exception (which may quote such an object) has its addresses removed;
* ``math`` is a plain namespace (the module's own text names its file on this host);
* ``datetime.now()``/``today()``/``utcnow()`` read the host's clock (``now()``, the helper, reads the case's);
* NaN and the infinities are no JSON: task data refuses them (``data_problem``).

Sets of strings iterate in an order that also depends on the per-process salt: code that builds sets runs in
the budget worker, which is started with a fixed ``PYTHONHASHSEED`` (``engine.bpmn.budget``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from types import BuiltinFunctionType, ModuleType
from typing import Any, NoReturn

from RestrictedPython import PrintCollector

# The text of these never changes between runs (datetimes and timedeltas print their fields).
_STABLE_TYPES = frozenset({str, int, float, bool, complex, type(None), datetime, date, time, timedelta, timezone,
                           range, slice, bytes, type(Ellipsis), type(NotImplemented)})
_VIEWS: tuple[type, ...] = (type({}.keys()), type({}.values()), type({}.items()))
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# Attributes that read the host's clock instead of the case's: refused on every object.
HOST_CLOCK_ATTRIBUTES = frozenset({"now", "today", "utcnow"})


def _violation(message: str) -> NoReturn:
    """Raise the sandbox's SandboxViolation (imported late: the sandbox imports this module)."""
    from engine.bpmn.sandbox import SandboxViolation

    raise SandboxViolation(message)


def _scan(value: Any) -> tuple[str | None, bool]:
    """(type name of the first part of ``value`` without a stable text, or None; whether it holds an exception).

    Each container is walked once (shared or cyclic data costs its size, not its expansion).
    """
    stack, seen, exception = [value], set(), False
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _STABLE_TYPES:
            continue
        if kind in (list, tuple, set, frozenset, dict) or isinstance(item, _VIEWS):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(item.items() if kind is dict else item)
        elif isinstance(item, BaseException):
            exception = True
            stack.extend(item.args)
        elif isinstance(item, type | tzinfo) or _is_module_function(item) or isinstance(item, StableMath):
            continue  # "<class 'int'>", "<built-in function len>", "<module 'math'>": the same in every run
        else:
            return kind.__name__, exception
    return None, exception


def _is_module_function(value: Any) -> bool:
    """A builtin function of a module (``len``, ``math.sqrt``), not a method bound to an object."""
    return type(value) is BuiltinFunctionType and isinstance(value.__self__, ModuleType | type(None))


def stable_text(convert: Callable[[Any], str], value: Any, what: str) -> str:
    """``convert(value)`` (``str``, ``repr``, ``format``…), refused when the text would hold a memory address."""
    if type(value) in _STABLE_TYPES:
        return convert(value)
    unstable, exception = _scan(value)
    if unstable is not None:
        _violation(f"Refused by the sandbox: {what} of a {unstable} value: its text holds a memory address, "
                   "which differs from run to run (replay could not repeat it); use the data it stands for")
    text = convert(value)
    return _ADDRESS.sub("", text) if exception else text


def stable_error_text(text: str) -> str:
    """An error message without memory addresses (a failed timer's error is stored and replayed)."""
    return _ADDRESS.sub("", text) if " at 0x" in text else text


class _StrType(type):
    """``StableStr``'s metaclass: ``isinstance(x, str)`` and ``issubclass`` answer as for ``str``."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, str)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, str)

    def __repr__(cls) -> str:
        return "<class 'str'>"


class StableStr(str, metaclass=_StrType):
    """The sandbox's ``str``: calling it gives a plain ``str``, refused when the text would hold an address."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:  # a plain str, on purpose
        """``str(value)``; ``str()`` is ``""``."""
        if len(args) == 1 and not kwargs:
            return stable_text(str, args[0], "str()")
        if "object" in kwargs and len(kwargs) == 1 and not args:
            return stable_text(str, kwargs["object"], "str()")
        return str(*args, **kwargs)


def stable_repr(value: Any) -> str:
    """The sandbox's ``repr``: refused when the text would hold a memory address."""
    return stable_text(repr, value, "repr()")


def stable_ascii(value: Any) -> str:
    """The sandbox's ``ascii``: refused when the text would hold a memory address."""
    return stable_text(ascii, value, "ascii()")


def refused_builtin(name: str, why: str) -> Callable[..., NoReturn]:
    """A builtin that fails naming why scripts may not use it (clearer than a NameError)."""

    def refused(*_args: Any, **_kwargs: Any) -> NoReturn:
        _violation(f"Refused by the sandbox: {name}() {why}")

    refused.__name__ = name
    return refused


class StableMath(ModuleType):
    """``math`` for scripts: the module's functions and constants, with a text that names no file."""

    def __repr__(self) -> str:
        return "<module 'math'>"


def stable_math() -> StableMath:
    """A fresh ``math`` namespace (its public names only)."""
    namespace = StableMath("math", math.__doc__)
    for name in dir(math):
        if not name.startswith("_"):
            setattr(namespace, name, getattr(math, name))
    return namespace


class StablePrintCollector(PrintCollector):
    """``print`` for scripts (its text is ``printed``): objects without a stable text are refused."""

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        texts = [stable_text(str, value, "print()") for value in objects]
        super()._call_print(*texts, **kwargs)


def guard_error_args(obj: Any, name: str, value: Any) -> Any:
    """``error.args`` without memory addresses in its messages (Python quotes objects in some, e.g. ``index``)."""
    if name == "args" and isinstance(obj, BaseException) and isinstance(value, tuple):
        return tuple(stable_error_text(item) if isinstance(item, str) else item for item in value)
    return value


def data_problem(value: Any, path: str, max_depth: int = 64) -> str | None:
    """Why JSON-like ``value`` (named ``path``) cannot be task data: ``"out[1] to nan: …"``, or None.

    NaN and the infinities are no JSON; stored, they would make the case's events invalid JSON.
    """
    if type(value) in (str, int, bool, type(None)):
        return None
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return f"{where} to {item!r}: task data holds finite JSON numbers only (no NaN or Infinity)"
        elif depth < max_depth and isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{index}]", depth + 1) for index, child in enumerate(item))
        elif depth < max_depth and isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, float) and not math.isfinite(key):
                    return f"{where} with the key {key!r}: task data holds finite JSON numbers only"
                stack.append((child, f"{where}[{key!r}]", depth + 1))
    return None


def stable_result(value: Any) -> Any:
    """An expression's value, refused when it holds a function, method, iterator… (no data, no stable text)."""
    if type(value) in _STABLE_TYPES:
        return value
    unstable, _ = _scan(value)
    if unstable is not None:
        _violation(f"Refused by the sandbox: the expression gives a {unstable} value, which is no data and "
                   "differs from run to run")
    return value
