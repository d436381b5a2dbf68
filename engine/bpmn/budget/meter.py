"""Size guards: a per-evaluation meter that the rewritten code calls for every operation that can amplify
(``* ** << + %``, f-string fields, ``join``, ``str``/``repr`` of containers, ``round``, ``pow``); it estimates
the result before computing it, and fails, or moves an inline evaluation to the worker, when it is too big."""

from __future__ import annotations

import functools
import operator
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any, NoReturn

from engine.bpmn.budget.limits import BudgetExceeded, Escalate, ScriptLimits
from engine.bpmn.determinism import StableStr, stable_ascii, stable_repr, stable_text

# --------------------------------------------------------------------------------------------------
# Guards: a per-evaluation meter the rewritten code calls for operations that can amplify.
# --------------------------------------------------------------------------------------------------

_SEQS = (str, bytes, bytearray, list, tuple)
SCALARS = (bool, int, float, type(None), datetime, date, dtime, timedelta)
_SMALL_INT_BITS = 4096  # integer results below this are not worth metering
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)
_DIGITS = re.compile(r"\d+")
_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
    "@=": operator.imatmul,
}


def _itemsize(seq: Any) -> int:
    """Bytes per element a sequence of this type needs at least."""
    return 8 if isinstance(seq, list | tuple) else 1


def _as_int(text: str | bytes) -> int:
    """A width written in a format: huge numbers (beyond int-from-str limits) count as unbounded."""
    try:
        return min(int(text), sys.maxsize)
    except ValueError:
        return sys.maxsize


def _percent_widths(fmt: str | bytes, args: Any) -> int:
    """Characters that ``fmt % args`` pads to (widths and precisions, ``*`` taken from ``args``)."""
    text = fmt.decode("latin-1") if isinstance(fmt, bytes) else fmt
    values = list(args) if isinstance(args, tuple) else [args]
    total, index = 0, 0
    for match in _PERCENT.finditer(text):
        for part in (match.group(1), match.group(2)):
            if part == "*":
                star = values[index] if index < len(values) else 0
                total += abs(star) if isinstance(star, int) else 0
                index += 1
            elif part:
                total += _as_int(part)
        index += match.group(3) != "%"
    return total


def _estimate(value: Any, cap: int) -> int:
    """Upper bound of ``len(repr(value))``, walking containers; stops counting once above ``cap``."""
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) * (4 if item.isascii() else 10) + 2
        elif isinstance(item, bytes | bytearray):
            total += 4 * len(item) + 3
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, dict):
            total += 4 * len(item) + 2
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 * len(item) + 2
            stack.extend(item)
        else:
            total += 64
    return total


def _expanded_size(value: Any, cap: int) -> int:
    """Elements and characters of ``value`` as a tree (shared sub-objects counted each time); stops above ``cap``."""
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        total += 1
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return total


def tree_size(value: Any, cap: int) -> int:
    """Like :func:`_expanded_size`, but a container met twice (shared, or a cycle) counts as ``cap + 1``."""
    total, stack, seen = 0, [value], set()
    while stack and total <= cap:
        item = stack.pop()
        total += 1
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, dict | list | tuple | set | frozenset):
            if id(item) in seen:
                return cap + 1
            seen.add(id(item))
            stack.extend(item.items() if isinstance(item, dict) else item)
    return total


class Meter:
    """Size guards for one evaluation: estimate, charge, and fail or escalate before allocating."""

    __slots__ = ("escalated", "exceeded", "helper_seconds", "inline", "limits", "used")

    def __init__(self, limits: ScriptLimits, inline: bool) -> None:
        self.limits = limits
        self.inline = inline
        self.used = 0
        self.helper_seconds = 0.0
        self.exceeded: BudgetExceeded | None = None
        self.escalated = False

    def helper_time(self, seconds: float) -> None:
        """Helpers run in this process, outside any kernel limit: their time counts against ``cpu_seconds``."""
        self.helper_seconds += seconds
        if self.helper_seconds > self.limits.cpu_seconds:
            self.exceeded = BudgetExceeded("cpu", self.limits.cpu_seconds, "time spent in helper functions")
            raise self.exceeded

    # -- bookkeeping -------------------------------------------------------------------------------
    def _fail(self, nbytes: int, what: str) -> NoReturn:
        """Record (sticky: a script catching it still fails) and raise a memory BudgetExceeded."""
        self.exceeded = BudgetExceeded("memory", self.limits.memory_bytes, f"{what} of about {nbytes:,} bytes")
        raise self.exceeded

    def _escalate(self) -> NoReturn:
        self.escalated = True
        raise Escalate

    def charge(self, nbytes: int, what: str) -> None:
        """Account for a result of ``nbytes`` before it is built."""
        if nbytes > self.limits.memory_bytes:
            self._fail(nbytes, what)
        if self.inline:
            self.used += nbytes
            if self.used > self.limits.inline_bytes:
                self._escalate()

    def int_bits(self, bits: int, what: str) -> None:
        """Account for an integer result of ``bits`` bits before it is computed."""
        if bits > self.limits.max_int_bits:  # at once: computing it would take seconds before any limit bites
            self.exceeded = BudgetExceeded("size", self.limits.max_int_bits, f"{what} of about {bits:,} bits")
            raise self.exceeded
        self.charge(bits // 8, what)
        if self.inline and bits > self.limits.inline_int_bits:
            self._escalate()

    # -- checks ------------------------------------------------------------------------------------
    def _check_add(self, a: Any, b: Any) -> None:
        if isinstance(a, _SEQS) and isinstance(b, _SEQS):
            self.charge((len(a) + len(b)) * _itemsize(a), "concatenation")

    def _check_mul(self, a: Any, b: Any) -> None:
        if isinstance(a, int) and isinstance(b, int):
            bits = a.bit_length() + b.bit_length()
            if bits > _SMALL_INT_BITS:
                self.int_bits(bits, "integer product")
        elif isinstance(a, _SEQS) and isinstance(b, int):
            self._check_repeat(a, b)
        elif isinstance(b, _SEQS) and isinstance(a, int):
            self._check_repeat(b, a)

    def _check_repeat(self, seq: Any, times: int) -> None:
        """``seq * times``; inline, a list's elements count as often as they are repeated: ``[s] * n``
        shares ``s`` n times, and ``", ".join([s] * n)`` would expand it unguarded."""
        self.charge(len(seq) * _itemsize(seq) * max(times, 0), "repetition")
        if self.inline and isinstance(seq, list | tuple) and times > 1:
            expanded = _expanded_size(seq, self.limits.inline_bytes) * times
            if expanded > self.limits.inline_bytes:  # not a failure: in the worker it costs only references
                self._escalate()

    def _check_pow(self, a: Any, b: Any) -> None:
        if isinstance(a, int) and isinstance(b, int) and b > 1 and a not in (-1, 0, 1):
            bits = (abs(a).bit_length() - 1) * b + 1
            if bits > _SMALL_INT_BITS:
                self.int_bits(bits, "power")

    def _check_lshift(self, a: Any, b: Any) -> None:
        if isinstance(a, int) and isinstance(b, int) and a and b > 0:
            bits = a.bit_length() + b
            if bits > _SMALL_INT_BITS:
                self.int_bits(bits, "left shift")

    def _check_mod(self, a: Any, b: Any) -> None:
        if isinstance(a, str | bytes):
            widths = _percent_widths(a, b)
            extra = _estimate(b, self.limits.inline_bytes) if self.inline else 0
            self.charge(len(a) + widths + extra, "%-formatting")

    # -- operators the rewritten code calls ---------------------------------------------------------
    def add(self, a: Any, b: Any) -> Any:
        """Guarded ``a + b``."""
        self._check_add(a, b)
        return a + b

    def mul(self, a: Any, b: Any) -> Any:
        """Guarded ``a * b``."""
        self._check_mul(a, b)
        return a * b

    def pow(self, a: Any, b: Any) -> Any:
        """Guarded ``a ** b``."""
        self._check_pow(a, b)
        return a**b

    def lshift(self, a: Any, b: Any) -> Any:
        """Guarded ``a << b``."""
        self._check_lshift(a, b)
        return a << b

    def mod(self, a: Any, b: Any) -> Any:
        """Guarded ``a % b`` (``%``-formatting widths and ``*`` widths are counted; no memory addresses)."""
        self._check_mod(a, b)
        if isinstance(a, str):
            return stable_text(a.__mod__, b, "%-formatting")
        return a % b

    def inplace(self, op: str, target: Any, value: Any) -> Any:
        """Guarded ``target op= value`` (RestrictedPython's ``_inplacevar_``)."""
        check = {"+=": self._check_add, "*=": self._check_mul, "**=": self._check_pow,
                 "<<=": self._check_lshift, "%=": self._check_mod}.get(op)
        if check is not None:
            check(target, value)
        return _INPLACE_OPS[op](target, value)

    def fmt(self, value: Any, conversion: int, spec: str | None) -> str:
        """Guarded f-string field ``{value!conversion:spec}`` (widths and precisions are counted)."""
        if conversion != -1:
            value = self.call({115: StableStr, 114: stable_repr, 97: stable_ascii}[conversion], value)
        if spec:
            self.charge(sum(_as_int(d) for d in _DIGITS.findall(spec)), "format width")
        if self.inline and isinstance(value, str):
            self.charge(len(value), "formatted value")
        elif self.inline and not isinstance(value, SCALARS):
            self.charge(_estimate(value, self.limits.inline_bytes), "formatted value")
        if not spec:
            return stable_text(format, value, "an f-string")
        return format(value, spec)

    def join(self, bound: Any, items: Any) -> Any:
        """Guarded ``sep.join(items)`` (``bound`` is ``sep.join``): inline, the output is charged first."""
        if not self.inline:
            return bound(items)
        items = list(items)
        sep = getattr(bound, "__self__", "")
        size = len(sep) * len(items) if isinstance(sep, str | bytes) else 0
        self.charge(size + sum(len(i) for i in items if isinstance(i, str | bytes)), "join()")
        return bound(items)

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Guarded call of a name that may amplify: ``str``/``repr``/``ascii`` of containers, ``round``."""
        digits = args[1] if len(args) > 1 else kwargs.get("ndigits")
        if func is round and args and isinstance(args[0], int) and isinstance(digits, int) and digits < 0:
            self.int_bits(-digits * 10 // 3, "round() to a negative number of digits")
        elif func is pow and len(args) == 2 and not kwargs:  # pow(a, b, mod) stays below mod
            self._check_pow(*args)
        elif self.inline and args and func in TEXT_FUNCTIONS and not isinstance(args[0], SCALARS):
            self.charge(_estimate(args[0], self.limits.inline_bytes), f"{func.__name__}()")
        return func(*args, **kwargs)


ACTIVE = threading.local()  # the meter of the inline evaluation running in this thread (helpers charge it)


@contextmanager
def uncharged() -> Iterator[None]:
    """gridcase's own one-off work inside a helper (building a cache, such as the grid index after a city
    load): its CPU time is not charged to the script that happened to call the helper first."""
    started = time.thread_time()
    try:
        yield
    finally:
        ACTIVE.uncharged = getattr(ACTIVE, "uncharged", 0.0) + time.thread_time() - started


def call_charged(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a helper, leaving in ``ACTIVE.charged`` the CPU time it charges: this thread's, less its
    ``uncharged`` work (waiting for the database or for a busy machine charges nothing)."""
    ACTIVE.charged = 0.0
    started, before = time.thread_time(), getattr(ACTIVE, "uncharged", 0.0)
    try:
        return func(*args, **kwargs)
    finally:
        spent = time.thread_time() - started - (getattr(ACTIVE, "uncharged", 0.0) - before)
        ACTIVE.charged = max(spent, 0.0)


def timed_helper(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, charging its CPU time to the running inline evaluation's meter."""

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        meter: Meter | None = getattr(ACTIVE, "meter", None)
        try:
            return call_charged(func, *args, **kwargs)
        finally:
            if meter is not None:
                meter.helper_time(ACTIVE.charged)

    return timed




TEXT_FUNCTIONS = (str, repr, ascii, StableStr, stable_repr, stable_ascii)
