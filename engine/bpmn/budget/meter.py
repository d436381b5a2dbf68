"""Size guards: a per-evaluation meter that the rewritten code calls for every operation that can amplify
(``* ** << + %``, f-string fields, ``join``, ``str``/``repr`` of containers, ``round``, ``pow``); it estimates
the result before computing it, and fails, or moves an inline evaluation to the worker, when it is too big."""

from __future__ import annotations

import functools
import operator
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any, NoReturn

from engine.bpmn.budget.calls import built_bytes
from engine.bpmn.budget.limits import BudgetExceeded, Escalate, ScriptLimits
from engine.bpmn.budget.sizes import as_int, estimate, expanded_size, itemsize, percent_widths, tree_size
from engine.bpmn.determinism import StableStr, stable_ascii, stable_repr, stable_text

# --------------------------------------------------------------------------------------------------
# Guards: a per-evaluation meter the rewritten code calls for operations that can amplify.
# --------------------------------------------------------------------------------------------------

_SEQS = (str, bytes, bytearray, list, tuple)
SCALARS = (bool, int, float, type(None), datetime, date, dtime, timedelta)
_SMALL_INT_BITS = 4096  # integer results below this are not worth metering
_DIGITS = re.compile(r"\d+")
_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
    "@=": operator.imatmul,
}


class Meter:
    """Size guards for one evaluation: estimate, charge, and fail or escalate before allocating."""

    __slots__ = ("escalated", "exceeded", "helper_seconds", "inline", "limits", "started", "used", "walked")

    def __init__(self, limits: ScriptLimits, inline: bool) -> None:
        self.limits = limits
        self.inline = inline
        self.used = 0
        self.walked = 0  # tree nodes settle() walked: the walks are bounded by the inline allowance too
        self.started = time.perf_counter() if inline else 0.0
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

    # -- repetition and dependency (inline only; the worker's kernel limits bound them there) ----------------
    def tick(self) -> None:
        """Inline, past ``inline_seconds`` of wall-clock time: the evaluation moves to the worker."""
        if self.inline and time.perf_counter() - self.started > self.limits.inline_seconds:
            self._escalate()

    def loop(self, iterator: Any) -> Any:
        """The iterator of a generator expression: inline, each step checks the time first."""
        return self._ticking(iterator) if self.inline else iterator

    def _ticking(self, iterator: Any) -> Iterator[Any]:
        for item in iterator:
            self.tick()
            yield item

    def settle(self, *values: Any) -> None:
        """After a statement whose names later statements read: inline, each value must be a tree (no container
        met twice, no cycle) and all those walked together within ``inline_bytes``, else the worker runs it."""
        if not self.inline:
            return
        self.tick()
        for value in values:
            self.walked += tree_size(value, self.limits.inline_bytes - self.walked)
            if self.walked > self.limits.inline_bytes:
                self._escalate()

    # -- checks ------------------------------------------------------------------------------------
    def _check_add(self, a: Any, b: Any) -> None:
        if isinstance(a, _SEQS) and isinstance(b, _SEQS):
            self.charge((len(a) + len(b)) * itemsize(a), "concatenation")

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
        self.charge(len(seq) * itemsize(seq) * max(times, 0), "repetition")
        if self.inline and isinstance(seq, list | tuple) and times > 1:
            expanded = expanded_size(seq, self.limits.inline_bytes) * times
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
            widths = percent_widths(a, b)
            extra = estimate(b, self.limits.inline_bytes) if self.inline else 0
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
            self.charge(sum(as_int(d) for d in _DIGITS.findall(spec)), "format width")
        if self.inline and isinstance(value, str):
            self.charge(len(value), "formatted value")
        elif self.inline and not isinstance(value, SCALARS):
            self.charge(estimate(value, self.limits.inline_bytes), "formatted value")
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

    def getslice(self, seq: Any, key: Any) -> Any:
        """Guarded ``seq[a:b:c]`` (inline code only): the copy is charged before it is made."""
        if isinstance(seq, _SEQS) and isinstance(key, slice):
            self.charge(len(range(*key.indices(len(seq)))) * itemsize(seq), "slice")
        return seq[key]

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Guarded call of a name that may amplify: ``str``/``repr``/``ascii`` of containers, ``round``; inline,
        also the ``METERED_CALLS`` (``sorted``, ``list``, ``dict``, ``zip``...): time checked, result charged."""
        if self.inline:
            self.tick()
            built = built_bytes(func, args)
            if built is None:
                self._escalate()
            if built:
                self.charge(built, f"{getattr(func, '__name__', 'call')}()")
        digits = args[1] if len(args) > 1 else kwargs.get("ndigits")
        if func is round and args and isinstance(args[0], int) and isinstance(digits, int) and digits < 0:
            self.int_bits(-digits * 10 // 3, "round() to a negative number of digits")
        elif func is pow and len(args) == 2 and not kwargs:  # pow(a, b, mod) stays below mod
            self._check_pow(*args)
        elif self.inline and args and func in TEXT_FUNCTIONS and not isinstance(args[0], SCALARS):
            self.charge(estimate(args[0], self.limits.inline_bytes), f"{func.__name__}()")
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
    """``func``, charging its CPU time to the running inline evaluation's meter (not to its ``inline_seconds``:
    that bounds the script's own code; a helper waiting for the database must not move a script to the worker)."""

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        """Call the helper; its CPU time goes to the meter's helper budget, its wall time off the script's."""
        meter: Meter | None = getattr(ACTIVE, "meter", None)
        called = time.perf_counter()
        try:
            return call_charged(func, *args, **kwargs)
        finally:
            if meter is not None:
                meter.started += time.perf_counter() - called
                meter.helper_time(ACTIVE.charged)

    return timed


TEXT_FUNCTIONS = (str, repr, ascii, StableStr, stable_repr, stable_ascii)
