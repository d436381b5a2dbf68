"""CPU-time and memory budgets for diagram scripts and expressions (a hybrid evaluator).

RestrictedPython stops scripts from *reaching* the host, not from *exhausting* it: ``sum(range(10**12))``
is a C-level loop that holds the GIL and never reaches a bytecode boundary, so no signal handler, trace
hook or watchdog thread inside the web process can stop it.  Only the kernel can, so the hard limits live
in a separate process.  Forking per evaluation costs about 1.4 ms (far too slow for the lifecycle's
5-20 evaluations per step), so :class:`BoundedEvaluator` splits the work:

* **Inline** (in-process, about as fast as a plain ``eval``): code that :func:`plan` proves bounded runs
  directly.  Provably bounded means: an expression, or a script whose statements are independent
  (no statement reads a name an earlier one assigned or mutated), with no loops, comprehensions,
  lambdas, functions, walrus, ``*``/``**`` arguments, calls only to a whitelist of non-amplifying
  builtins/methods and the helpers, at most ``inline_max_nodes`` AST nodes.  Such code executes each
  node at most once over trees built from the task data, so its cost is linear in (nodes x data).
  The operations that can still amplify (``*``, ``**``, ``<<``, ``+``, ``%`` formatting, f-string format
  specs, ``str``/``repr``/``ascii`` of containers, ``round`` with negative digits) are rewritten into
  calls to a per-evaluation :class:`_Meter` that estimates the result size *before* computing it:
  beyond ``memory_bytes`` it raises :class:`BudgetExceeded` at once; beyond the small inline allowance
  (``inline_bytes`` cumulative, ``inline_int_bits`` per integer) the evaluation is re-run in the worker.
* **Worker** (everything else): a persistent, spawned (not forked) interpreter per process that runs the
  same guarded code object under ``setitimer(ITIMER_PROF)`` (the kernel kills it at ``cpu_seconds`` of
  CPU, even inside a C loop), ``RLIMIT_AS`` (allocations beyond ``memory_bytes`` raise MemoryError),
  an ``RLIMIT_CPU`` backstop, and a wall-clock kill by the parent.  A dead worker is replaced.
  Data goes in by pickle (the parent is trusted) and comes back as tagged JSON (the child is not:
  nothing it sends can run code in the parent, and shared sub-objects are expanded *in the child*, so
  a ``a = [a, a]`` bomb blows the child's budget instead of the parent's ``_is_data`` walk).
  Helpers (clock, working time, ``locate``, ``reject``, replay recorders) are *called back in the
  parent* over the same pipe, so they keep their bound state and their exceptions keep their types.

Everything exceeded surfaces as :class:`BudgetExceeded` (``kind`` = ``"cpu"``, ``"memory"`` or ``"wall"``,
``limit``), which is an ordinary ``Exception`` so SpiffWorkflow wraps it with the failing element.
"""

from __future__ import annotations

import ast
import atexit
import builtins
import copy
import functools
import json
import math
import operator
import os
import pickle
import re
import resource
import select
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from types import CodeType
from typing import Any, Literal, NoReturn

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec

from engine.bpmn.determinism import StableStr, stable_ascii, stable_repr, stable_text

Mode = Literal["eval", "exec"]
Kind = Literal["cpu", "memory", "wall", "size"]
Route = Literal["auto", "inline", "worker"]

_MIB = 1 << 20


@dataclass(frozen=True)
class ScriptLimits:
    """The budget of one evaluation; ``cpu_seconds`` and ``memory_bytes`` come from settings."""

    cpu_seconds: float = 1.0
    memory_bytes: int = 256 * _MIB
    wall_seconds: float | None = None  # None: 3 x cpu_seconds + 1 (the worker may wait for a core)
    max_result_bytes: int = 4 * _MIB  # JSON the worker may send back (the parent copies and decodes it)
    inline_bytes: int = _MIB  # guarded allocations an inline evaluation may make before moving to the worker
    inline_int_bits: int = 1 << 16  # largest integer an inline evaluation computes (bigger: the worker)
    inline_max_nodes: int = 300  # larger code always runs in the worker
    max_int_bits: int = 1 << 16  # no integer may be larger, inline or in the worker: 10**10**7 fails at once

    def __post_init__(self) -> None:
        if not 0 < self.cpu_seconds <= 3600:  # also refuses NaN
            raise ValueError(f"cpu_seconds must be above 0 and at most 3600 seconds, not {self.cpu_seconds!r}")
        if not 16 * _MIB <= self.memory_bytes <= 1 << 40:
            raise ValueError(f"memory must be at least 16 MB (and at most 1 TB), not {self.memory_bytes // _MIB} MB")
        if self.wall_seconds is not None and not self.wall_seconds > 0:
            raise ValueError(f"wall_seconds must be above 0, not {self.wall_seconds!r}")

    @classmethod
    def from_settings(cls, cpu_seconds: float, memory_mb: int) -> ScriptLimits:
        """The limits the settings give; ValueError naming the variable (``GRIDCASE_SCRIPT_CPU_SECONDS``,
        ``GRIDCASE_SCRIPT_MEMORY_MB``) when one is out of range."""
        if not 0 < cpu_seconds <= 3600:
            raise ValueError(f"GRIDCASE_SCRIPT_CPU_SECONDS must be above 0 and at most 3600, not {cpu_seconds!r}")
        if not 16 <= memory_mb <= 1 << 20:
            raise ValueError(f"GRIDCASE_SCRIPT_MEMORY_MB must be 16-1048576 (megabytes), not {memory_mb!r}")
        return cls(cpu_seconds=cpu_seconds, memory_bytes=memory_mb * _MIB)

    def wall(self) -> float:
        """Wall-clock seconds after which the parent kills the worker."""
        return self.wall_seconds if self.wall_seconds is not None else 3 * self.cpu_seconds + 1


class BudgetExceeded(Exception):
    """A script or expression exceeded its CPU-time, memory or wall-clock budget; nothing was written."""

    def __init__(self, kind: Kind, limit: float, detail: str = "", lineno: int | None = None) -> None:
        unit = {"cpu": "s of CPU time", "memory": " bytes of memory", "wall": "s of wall-clock time",
                "size": " bits in one integer"}[kind]
        shown = f"{limit:,}" if isinstance(limit, int) else f"{limit:g}"
        message = f"script budget exceeded: more than {shown}{unit}" + (f" ({detail})" if detail else "")
        super().__init__(message)
        self.kind: Kind = kind
        self.limit = limit
        self.detail = detail
        self.lineno = lineno

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the keyword fields (the worker sends these to the parent)."""
        return (type(self), (self.kind, self.limit, self.detail, self.lineno))


class ScriptWorkerError(RuntimeError):
    """The budget worker failed for a reason other than a budget (crashed, could not start, bad reply)."""


class Opaque:
    """Stands for a worker value that is not plain data (a function, a module...): never stored as data."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} from the script worker>"


class _Escalate(BaseException):
    """Inline evaluation outgrew the inline allowance: re-run in the worker (never seen by callers)."""


# --------------------------------------------------------------------------------------------------
# Guards: a per-evaluation meter the rewritten code calls for operations that can amplify.
# --------------------------------------------------------------------------------------------------

_SEQS = (str, bytes, bytearray, list, tuple)
_SCALARS = (bool, int, float, type(None), datetime, date, dtime, timedelta)
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


def _tree_size(value: Any, cap: int) -> int:
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


class _Meter:
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
        raise _Escalate

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
        elif self.inline and not isinstance(value, _SCALARS):
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
        elif self.inline and args and func in _TEXT_FUNCTIONS and not isinstance(args[0], _SCALARS):
            self.charge(_estimate(args[0], self.limits.inline_bytes), f"{func.__name__}()")
        return func(*args, **kwargs)


_ACTIVE = threading.local()  # the meter of the inline evaluation running in this thread (helpers charge it)


def _timed_helper(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, charging its CPU time to the running inline evaluation's meter."""

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        meter: _Meter | None = getattr(_ACTIVE, "meter", None)
        started = time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            if meter is not None:
                meter.helper_time(time.thread_time() - started)

    return timed


_BINOP_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "add", ast.Mult: "mul", ast.Pow: "pow", ast.LShift: "lshift", ast.Mod: "mod",
}
_GUARDED_CALLS = frozenset({"str", "repr", "ascii", "round", "pow"})
_TEXT_FUNCTIONS = (str, repr, ascii, StableStr, stable_repr, stable_ascii)


def _meter_call(method: str, args: list[ast.expr], keywords: list[ast.keyword] | None = None) -> ast.Call:
    """``_meter_.method(*args)``: the meter is a global of each evaluation."""
    func = ast.Attribute(value=ast.Name("_meter_", ast.Load()), attr=method, ctx=ast.Load())
    return ast.Call(func=func, args=args, keywords=keywords or [])


class _OpGuards(ast.NodeTransformer):
    """Runs after RestrictedPython's policy: route amplifying operations through ``_meter_``."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """``a * b`` -> ``_meter_.mul(a, b)`` (likewise ``+ ** << %``)."""
        self.generic_visit(node)
        method = _BINOP_GUARDS.get(type(node.op))
        if method is None:
            return node
        return ast.copy_location(_meter_call(method, [node.left, node.right]), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """``f"{v!r:>{w}}"`` -> ``f"{_meter_.fmt(v, 114, f'>{w}')}"``."""
        self.generic_visit(node)
        spec: ast.expr = node.format_spec if node.format_spec is not None else ast.Constant(None)
        value = _meter_call("fmt", [node.value, ast.Constant(node.conversion), spec])
        return ast.copy_location(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        """``str(x)``/``round(x, n)`` -> ``_meter_.call(str, x)``; ``_inplacevar_`` -> ``_meter_.inplace``."""
        self.generic_visit(node)
        if not isinstance(node.func, ast.Name):
            return self._guard_join(node)
        if node.func.id == "_inplacevar_":
            return ast.copy_location(_meter_call("inplace", node.args, node.keywords), node)
        if node.func.id in _GUARDED_CALLS:
            return ast.copy_location(_meter_call("call", [node.func, *node.args], node.keywords), node)
        return node

    def _guard_join(self, node: ast.Call) -> ast.AST:
        """``_getattr_(sep, 'join')(items)`` (RestrictedPython's ``sep.join(items)``) -> ``_meter_.join(...)``."""
        func = node.func
        if (isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "_getattr_"
                and len(func.args) == 2 and isinstance(func.args[1], ast.Constant) and func.args[1].value == "join"
                and len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred)):
            return ast.copy_location(_meter_call("join", [func, node.args[0]]), node)
        return node


@functools.cache
def _guarding_policy(base: Any) -> type[RestrictingNodeTransformer]:
    """``base`` (the sandbox policy), followed by the :class:`_OpGuards` rewrite once it found no error."""

    class GuardingPolicy(base):
        def visit(self, node: ast.AST) -> Any:
            result = super().visit(node)
            if isinstance(node, ast.Module | ast.Expression) and not self.errors:
                _OpGuards().visit(node)
                ast.fix_missing_locations(node)
            return result

    return GuardingPolicy


def _default_policy() -> type[RestrictingNodeTransformer]:
    """The gridcase sandbox policy (imported late: sandbox.py will import this module)."""
    from engine.bpmn.sandbox import _GridcasePolicy

    return _GridcasePolicy


# Compiling costs about a microsecond per character, holding the GIL: a longer script would stall the process
# before any budget applies. The lifecycle's longest script has 2,000 characters.
MAX_SOURCE_CHARS = 100_000


def _refuse(message: str) -> NoReturn:
    """Raise the sandbox's SandboxViolation (imported late: the sandbox imports this module)."""
    from engine.bpmn.sandbox import SandboxViolation

    raise SandboxViolation("Script refused by the sandbox: " + message)


def check_source_size(source: str) -> None:
    """Refuse code longer than :data:`MAX_SOURCE_CHARS`."""
    if len(source) > MAX_SOURCE_CHARS:
        _refuse(f"it has {len(source):,} characters, more than {MAX_SOURCE_CHARS:,}; keep data in task data")


def _parse(source: str, mode: Mode) -> ast.Module | ast.Expression:
    """Parse as ``compile_sandboxed`` does (same file names, so tracebacks name ``<string>`` lines)."""
    check_source_size(source)
    if mode == "eval":
        return ast.parse(source.strip(), "<expression>", "eval")
    return ast.parse(textwrap.dedent(source), "<string>", "exec")


def compile_guarded(source: str, mode: Mode, policy: Any) -> CodeType:
    """The code the evaluator runs for ``source``: the sandbox policy plus the guards; SyntaxError or
    SandboxViolation if refused (too long, too deeply nested, or against the policy)."""
    try:
        return _compile_guarded(_parse(source, mode), mode, policy)
    except RecursionError:  # a chain like a+a+…+a thousands of terms long: parsing recurses per term
        _refuse("it is nested too deeply to compile")


def _compile_guarded(tree: ast.Module | ast.Expression, mode: Mode, policy: Any) -> CodeType:
    """Compile under the sandbox policy plus the guards; SyntaxError/SandboxViolation if refused."""
    guarded = _guarding_policy(policy)
    if mode == "eval":
        result = compile_restricted_eval(tree, "<expression>", policy=guarded)
    else:
        result = compile_restricted_exec(tree, "<string>", policy=guarded)
    if result.errors or result.code is None:
        from engine.bpmn.sandbox import SandboxViolation

        line = re.match(r"Line (\d+):", result.errors[0]) if result.errors else None
        raise SandboxViolation("Script refused by the sandbox: " + " ".join(result.errors),
                               int(line.group(1)) if line else None)
    return result.code


# --------------------------------------------------------------------------------------------------
# The classifier: which code is provably bounded and may run inline.
# --------------------------------------------------------------------------------------------------

# Builtins that may be called inline: each costs at most n log n in its inputs and returns at most
# (a constant times) their size.  str/repr/ascii/round are rewritten into guarded calls.
# No set or frozenset: a set of strings iterates in an order salted per process, so code that builds one runs
# in the worker, whose salt is fixed (PYTHONHASHSEED): replay must see the same order.
SAFE_CALLS = frozenset({
    "abs", "all", "any", "bool", "callable", "chr", "complex", "dict", "divmod", "enumerate", "filter",
    "float", "hex", "int", "isinstance", "len", "list", "map", "max", "min", "oct",
    "ord", "reversed", "sorted", "sum", "tuple", "zip", "str", "repr", "ascii", "round",
})
# ... whose value must not be passed around (map(repr, map(repr, ...)) would amplify unguarded).
_CALL_ONLY = frozenset({"str", "repr", "ascii", "round"})
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
# Mutating methods: scripts only (their scope is a deep copy), and they count as assigning the receiver.
MUTATING_METHODS = frozenset({"append", "pop", "setdefault", "update", "remove", "clear", "sort", "insert"})
_ALWAYS_OK = frozenset({"None", "True", "False", "math", "isinstance"})

_INLINE_NODES: frozenset[type[ast.AST]] = frozenset({
    ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.Pass, ast.Delete,
    ast.Assert, ast.Raise, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Dict,
    ast.List, ast.Tuple, ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice,
    ast.Call, ast.keyword, ast.JoinedStr, ast.FormattedValue, ast.Load, ast.Store, ast.Del,
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift,
    ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.Invert, ast.Not, ast.UAdd, ast.USub, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
})


_SET_OPERATORS = (ast.Sub, ast.BitAnd, ast.BitOr, ast.BitXor)


class _NotInline(Exception):
    """The code is not provably bounded; the message says why (for tests and logs)."""


@dataclass(frozen=True)
class _Names:
    """What the environment's builtins are: decides which names are data and which are functions."""

    builtins: frozenset[str]
    helpers: frozenset[str]


class _InlineCheck(ast.NodeVisitor):
    """Raise :class:`_NotInline` unless the tree is in the provably bounded class (see module doc)."""

    def __init__(self, mode: Mode, names: _Names, max_nodes: int) -> None:
        self.mode, self.names, self.max_nodes = mode, names, max_nodes
        self.nodes = 0
        self.builtin_refs: set[str] = set()

    def generic_visit(self, node: ast.AST) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise _NotInline(f"more than {self.max_nodes} nodes")
        if type(node) not in _INLINE_NODES:
            raise _NotInline(type(node).__name__)
        super().generic_visit(node)

    def _ref(self, name: str) -> None:
        """A builtin name read by the code (a data key of the same name must not shadow it inline)."""
        if name in self.names.builtins or name in SAFE_CALLS:
            self.builtin_refs.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        """A builtin used as a value must be harmless; other names are task data."""
        name = node.id
        self.generic_visit(node)
        harmless = name in SAFE_CALLS or name in _ALWAYS_OK or _is_exception(name)
        if name in self.names.builtins and name not in self.names.helpers and (name in _CALL_ONLY or not harmless):
            raise _NotInline(f"uses {name!r}")
        self._ref(name)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        """``d.keys() - e.keys()`` (also ``& | ^``) builds a set: the worker (see ``SAFE_CALLS``)."""
        self.generic_visit(node)  # first: it stops at inline_max_nodes, so the walk below stays small
        if isinstance(node.op, _SET_OPERATORS) and any(
                isinstance(n, ast.Attribute) and n.attr in ("keys", "items") for n in ast.walk(node)):
            raise _NotInline("a set operation on dict keys or items")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """Attribute reads: only whitelisted attributes and non-amplifying methods."""
        if not isinstance(node.ctx, ast.Load):
            raise _NotInline("attribute assignment")
        if node.attr not in SAFE_ATTRS and node.attr not in SAFE_METHODS:
            raise _NotInline(f"attribute {node.attr!r}")
        self.nodes += 1
        self._visit_receiver(node.value)

    def _visit_receiver(self, value: ast.expr) -> None:
        """``str.lower`` is fine although ``str`` may not be passed around."""
        if isinstance(value, ast.Name) and value.id in _CALL_ONLY:
            self.nodes += 1
            self._ref(value.id)
        else:
            self.visit(value)

    def visit_Call(self, node: ast.Call) -> None:
        """Calls: whitelisted builtins, helpers, whitelisted methods; no ``*``/``**`` arguments."""
        self.nodes += 1
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise _NotInline("*args/**kwargs")
        func = node.func
        if isinstance(func, ast.Name):
            self._check_function(func.id, node)
            self._ref(func.id)
        elif isinstance(func, ast.Attribute):
            self._check_method(func, node)
        else:
            raise _NotInline("call of a computed function")
        args = node.args
        if isinstance(func, ast.Name) and func.id == "isinstance":
            args = node.args[:1]
            for type_name in ast.walk(node.args[1]) if len(node.args) > 1 else ():
                if isinstance(type_name, ast.Name):
                    self._ref(type_name.id)
        for arg in args:
            self.visit(arg)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def _check_function(self, name: str, node: ast.Call) -> None:
        if name in self.names.helpers:
            return
        if name not in SAFE_CALLS:
            raise _NotInline(f"calls {name!r}")
        if name == "sum" and (node.keywords or (len(node.args) > 1 and not _is_number(node.args[1]))):
            raise _NotInline("sum() with a non-numeric start")
        if name == "isinstance" and len(node.args) == 2 and not _type_names(node.args[1]):
            raise _NotInline("isinstance() with a computed type")

    def _check_method(self, func: ast.Attribute, node: ast.Call) -> None:
        attr = func.attr
        if attr == "join" and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            return
        if attr in MUTATING_METHODS and self.mode == "exec":
            if _root_name(func.value) is None:  # max(d["lists"]).append(...) mutates data through an alias
                raise _NotInline(f"{attr}() on a computed receiver")
            self._visit_receiver(func.value)
            return
        if attr not in SAFE_METHODS:
            raise _NotInline(f"method {attr!r}")
        self._visit_receiver(func.value)


def _is_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


def _is_number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _type_names(node: ast.expr) -> bool:
    """``str`` or ``(int, float)``: the second argument of an inline ``isinstance``."""
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    return all(isinstance(i, ast.Name) and i.id in {"str", "int", "float", "bool", "dict", "list", "tuple",
                                                     "set", "frozenset", "complex"} for i in items)


def _root_name(node: ast.expr) -> str | None:
    """``d`` for ``d``, ``d[k]``, ``d[k][j]``, ``d.attr``."""
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    """The assignment or deletion targets of a simple statement."""
    if isinstance(stmt, ast.Assign | ast.Delete):
        return list(stmt.targets)
    if isinstance(stmt, ast.AugAssign):
        return [stmt.target]
    return []


def _stores(stmt: ast.stmt, targets: list[ast.expr]) -> set[str]:
    """Names a statement assigns, deletes, or mutates (``d[k] = v``, ``l.append(v)``: ``d`` and ``l``)."""
    stores = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    roots = [_root_name(e) for t in targets for e in (t.elts if isinstance(t, ast.Tuple | ast.List) else [t])]
    roots += [_root_name(n.func.value) for n in ast.walk(stmt)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATING_METHODS]
    if None in roots:  # f(d)[k] = v: which object changes is not known statically
        raise _NotInline(f"line {getattr(stmt, 'lineno', '?')} assigns into a computed value")
    return stores | {r for r in roots if r is not None}


def _effects(stmt: ast.stmt) -> tuple[set[str], set[str], set[str]]:
    """Names a simple statement reads, reads *bare* (not as ``x[...]``/``x.m``), and assigns or mutates."""
    targets = _targets(stmt)
    in_target = set() if isinstance(stmt, ast.AugAssign) else {id(n) for t in targets for n in ast.walk(t)}
    parents = {id(child): parent for parent in ast.walk(stmt) for child in ast.iter_child_nodes(parent)}
    loads: set[str] = set()
    bare: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if id(node) not in in_target:
                loads.add(node.id)
            if not isinstance(parents.get(id(node)), ast.Attribute | ast.Subscript):
                bare.add(node.id)
    return loads, bare, _stores(stmt, targets)


def _check_independent(body: list[ast.stmt], assigned: set[str]) -> None:
    """Each statement reads only task data: never a name an earlier statement assigned or mutated."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            _check_independent([ast.copy_location(ast.Expr(stmt.test), stmt)], assigned)
            _check_independent(stmt.body, assigned)
            _check_independent(stmt.orelse, assigned)
            continue
        loads, bare, stores = _effects(stmt)
        if loads & assigned:
            raise _NotInline(f"line {stmt.lineno} reads {sorted(loads & assigned)} assigned above")
        rebound = {t.id for t in stmt.targets if isinstance(t, ast.Name)} if isinstance(stmt, ast.Assign) else set()
        mutated = stores - rebound  # x = f(x) rebinds; x += [x], d[k] = d, l.append(l) would nest x in x
        if mutated & bare:
            raise _NotInline(f"line {stmt.lineno} stores {sorted(mutated & bare)} into itself")
        assigned |= stores


@dataclass(frozen=True)
class Plan:
    """How one (source, mode) runs: its guarded code, and whether it is provably bounded (inline)."""

    code: CodeType
    inline: bool
    reason: str  # why it runs in the worker ("" when inline)
    builtin_refs: tuple[str, ...]  # builtins it reads: a task-data key of the same name sends it to the worker
    stored: tuple[str, ...]  # names a script assigns or mutates (their size is checked after an inline run)


@functools.lru_cache(maxsize=4096)
def plan(source: str, mode: Mode, names: _Names, max_nodes: int, policy: Any = None) -> Plan:
    """Classify and compile ``source`` (cached); SyntaxError or SandboxViolation if the sandbox refuses it."""
    try:
        tree = _parse(source, mode)
    except RecursionError:
        _refuse("it is nested too deeply to compile")
    check = _InlineCheck(mode, names, max_nodes)
    stored: set[str] = set()
    try:
        check.visit(tree)
        if isinstance(tree, ast.Module):
            _check_independent(tree.body, stored)
        reason = ""
    except _NotInline as why:
        reason = str(why)
    except RecursionError:
        reason = "nested too deeply to classify"
    try:
        code = _compile_guarded(tree, mode, policy or _default_policy())
    except RecursionError:
        _refuse("it is nested too deeply to compile")
    return Plan(code, not reason, reason, tuple(sorted(check.builtin_refs)), tuple(sorted(stored)))


@functools.lru_cache(maxsize=1024)
def _worker_code(source: str, mode: Mode, policy: Any) -> CodeType:
    """The worker's compile cache (the same guarded code the parent would run inline)."""
    return compile_guarded(source, mode, policy)


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


def _write_frame(fd: int, payload: bytes) -> None:
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
        chunk = os.read(fd, min(size, _MIB))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None = None, max_size: int | None = None) -> bytes:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if max_size is not None and size > max_size:
        raise ScriptWorkerError(f"the script worker sent {size:,} bytes")
    return _read_exact(fd, size, deadline)


# --------------------------------------------------------------------------------------------------
# The worker process (child side).
# --------------------------------------------------------------------------------------------------

_NATIVE = {"timedelta": timedelta, "datetime": datetime, "date": date}
_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from engine.bpmn.budget import worker_main; worker_main()"


_STATM: list[int] = []  # an open /proc/self/statm (re-read with pread: 1 us instead of 10 us for open())


def _vm_bytes() -> int:
    """The process's current address-space size (Linux ``/proc/self/statm``)."""
    if not _STATM:
        _STATM.append(os.open("/proc/self/statm", os.O_RDONLY))
    return int(os.pread(_STATM[0], 64, 0).split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _under(soft: int, hard: int) -> int:
    """``soft``, but not above a finite ``hard`` limit."""
    return soft if hard == resource.RLIM_INFINITY else min(soft, hard)


@contextmanager
def _kernel_limits(limits: ScriptLimits) -> Iterator[None]:
    """CPU timer (SIGPROF kills, also inside C loops), RLIMIT_CPU backstop, RLIMIT_AS for memory."""
    _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu_soft = math.ceil(time.process_time() + limits.cpu_seconds) + 1
    as_soft = _vm_bytes() + limits.memory_bytes + 32 * _MIB
    resource.setrlimit(resource.RLIMIT_CPU, (_under(cpu_soft, cpu_hard), cpu_hard))
    resource.setrlimit(resource.RLIMIT_AS, (_under(as_soft, as_hard), as_hard))
    signal.setitimer(signal.ITIMER_PROF, limits.cpu_seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        resource.setrlimit(resource.RLIMIT_AS, (as_hard, as_hard))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))


def _script_lineno(err: BaseException) -> int | None:
    """The line of the diagram code where ``err`` was raised."""
    tb, line = err.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in ("<string>", "<expression>"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class _Child:
    """The worker's side: run requests under kernel limits, call helpers back in the parent."""

    def __init__(self, out_fd: int, in_fd: int) -> None:
        from engine.bpmn.sandbox import _base_builtins

        self.out_fd, self.in_fd = out_fd, in_fd
        self.base = _base_builtins()
        self.builtins_cache: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        self.policy: Any = _default_policy()  # Any: typeshed's Hashable check trips on the class

    def send(self, message: dict[str, Any]) -> None:
        _write_frame(self.out_fd, json.dumps(message).encode())

    def _stub(self, name: str) -> Callable[..., Any]:
        def call_parent(*args: Any, **kwargs: Any) -> Any:
            self.send({"t": "call", "name": name, "args": to_json(list(args)), "kwargs": to_json(kwargs)})
            reply = pickle.loads(_read_frame(self.in_fd))
            if reply[0] == "ret":
                return reply[1]
            err = reply[2]
            err._gridcase_helper_index = reply[1]
            raise err

        call_parent.__name__ = call_parent.__qualname__ = name
        return call_parent

    def builtins_for(self, helpers: tuple[tuple[str, str], ...]) -> dict[str, Any]:
        if helpers not in self.builtins_cache:
            names = dict(self.base)
            for name, how in helpers:
                names[name] = _NATIVE[how[7:]] if how.startswith("native:") else self._stub(name)
            self.builtins_cache[helpers] = names
        return self.builtins_cache[helpers]

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """One evaluation; returns the reply (JSON-ready)."""
        limits: ScriptLimits = request["limits"]
        code = _worker_code(request["source"], request["mode"], self.policy)
        scope = pickle.loads(request["scope"])
        original = pickle.loads(request["scope"]) if request["mode"] == "exec" else {}
        meter = _Meter(limits, inline=False)
        scope["__builtins__"] = self.builtins_for(request["helpers"])
        scope["_meter_"] = meter
        failure: BaseException | None = None
        body = b""
        with _kernel_limits(limits):
            try:
                if request["mode"] == "eval":
                    reply: dict[str, Any] = {"t": "ok", "value": to_json(eval(code, scope))}
                else:
                    exec(code, scope)
                    reply = _exec_reply(scope, original)
                if meter.exceeded is not None:
                    raise meter.exceeded
                body = json.dumps(reply).encode()
            except BaseException as err:
                failure = err
        return self._failure(failure, limits) if failure is not None else {"raw": body}

    def _failure(self, err: BaseException, limits: ScriptLimits) -> dict[str, Any]:
        lineno = _script_lineno(err)
        if isinstance(err, MemoryError):
            err = BudgetExceeded("memory", limits.memory_bytes, "allocation refused", lineno)
        if isinstance(err, BudgetExceeded):
            return {"t": "budget", "kind": err.kind, "limit": err.limit, "detail": err.detail, "lineno": lineno}
        index = getattr(err, "_gridcase_helper_index", None)
        if index is not None:
            return {"t": "helper_error", "index": index, "lineno": lineno}
        args = [a if isinstance(a, str | int | float | bool) or a is None else str(a) for a in err.args]
        return {"t": "error", "type": type(err).__name__, "module": type(err).__module__, "args": args,
                "message": str(err), "lineno": lineno}

    def serve(self) -> None:
        self.send({"t": "ready", "pid": os.getpid()})
        while True:
            try:
                request = pickle.loads(_read_frame(self.in_fd))
            except EOFError:
                return
            try:
                reply = self.run(request)
            except BaseException as err:
                reply = self._failure(err, request["limits"])
            raw = reply.get("raw")
            if raw is not None and len(raw) > request["limits"].max_result_bytes:
                reply = {"t": "budget", "kind": "memory", "limit": request["limits"].max_result_bytes,
                         "detail": f"result of {len(raw):,} bytes", "lineno": None}
                raw = None
            _write_frame(self.out_fd, raw if raw is not None else json.dumps(reply).encode())


def _exec_reply(scope: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """What an exec changed: new or different names (as data), and deleted names."""
    changed: dict[str, Any] = {}
    for name, value in scope.items():
        if name in ("__builtins__", "_meter_"):
            continue
        if name not in original or original[name] != value:
            changed[name] = to_json(value)
    deleted = [name for name in original if name not in scope]
    return {"t": "ok", "changed": changed, "deleted": deleted}


def worker_main() -> None:
    """Entry point of a worker process (``python -c _BOOT root``): serve requests on stdin/stdout."""
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # stray writes to stdout must not corrupt the protocol
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for sig in (signal.SIGPROF, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_DFL)  # the default action terminates the process
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPROF, signal.SIGXCPU})  # the mask survives exec
    _Child(out_fd, 0).serve()


# --------------------------------------------------------------------------------------------------
# The worker process (parent side) and the per-process pool.
# --------------------------------------------------------------------------------------------------


class _Worker:
    """One spawned worker process and its pipes."""

    def __init__(self) -> None:
        # A fixed hash salt: a set of strings iterates in the same order in every worker, every run (replay).
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, _ROOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=0, close_fds=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.in_fd, self.out_fd = self.proc.stdout.fileno(), self.proc.stdin.fileno()
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            try:
                hello = from_json(_read_frame(self.in_fd, time.monotonic() + 60))
            except (EOFError, TimeoutError) as err:
                self.kill()
                raise ScriptWorkerError("the script worker did not start") from err
            if hello.get("t") != "ready":
                raise ScriptWorkerError("the script worker sent no greeting")
            self.ready = True

    def kill(self) -> int | None:
        """Kill (if alive) and reap; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            return self.proc.wait(timeout=10)
        finally:
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()

    def dead_reason(self, limits: ScriptLimits) -> BaseException:
        """Why the worker died, once its pipe closed."""
        status = self.kill()
        if status in (-signal.SIGPROF, -signal.SIGXCPU):
            return BudgetExceeded("cpu", limits.cpu_seconds, "the script worker was stopped")
        return ScriptWorkerError(f"the script worker died (status {status})")

    def request(self, payload: bytes, limits: ScriptLimits, helpers: Mapping[str, Callable[..., Any]]) -> Any:
        """Send one request and serve helper calls until the reply; raises on budget and death."""
        self.wait_ready()
        _write_frame(self.out_fd, payload)
        deadline = time.monotonic() + limits.wall()
        raised: list[BaseException] = []
        helper_seconds = 0.0
        while True:
            try:
                reply = from_json(_read_frame(self.in_fd, deadline, limits.max_result_bytes + _MIB))
            except TimeoutError:
                self.kill()
                raise BudgetExceeded("wall", limits.wall(), "the script worker was killed") from None
            except EOFError:
                raise self.dead_reason(limits) from None
            if reply.get("t") != "call":
                return reply, raised
            started = time.monotonic()
            answer = _call_helper(helpers, reply, raised)
            spent = time.monotonic() - started
            helper_seconds += spent
            if helper_seconds > limits.cpu_seconds:  # the parent's time, outside the worker's limits
                self.kill()
                raise BudgetExceeded("cpu", limits.cpu_seconds, "time spent in helper functions")
            deadline += spent  # not the worker's wall time
            _write_frame(self.out_fd, answer)


def _call_helper(helpers: Mapping[str, Callable[..., Any]], call: dict[str, Any],
                 raised: list[BaseException]) -> bytes:
    """Run a helper the worker asked for, in the parent; pickle its result or exception back."""
    try:
        result = helpers[call["name"]](*call["args"], **call["kwargs"])
        return pickle.dumps(("ret", result))
    except Exception as err:
        raised.append(err)
        try:
            return pickle.dumps(("raise", len(raised) - 1, err))
        except Exception:
            return pickle.dumps(("raise", len(raised) - 1, RuntimeError(str(err))))


class _Pool:
    """The per-process workers (spawned lazily, replaced when they die, never shared across fork)."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self.lock = threading.Condition()
        self.idle: list[_Worker] = []
        self.count = 0
        self.pid = os.getpid()

    def _check_fork(self) -> None:
        if os.getpid() != self.pid:  # a forked copy: the workers belong to the parent process
            self.idle, self.count, self.pid = [], 0, os.getpid()

    def acquire(self) -> _Worker:
        with self.lock:
            self._check_fork()
            while not self.idle and self.count >= self.size:
                self.lock.wait()
            if self.idle:
                return self.idle.pop()
            self.count += 1
        try:
            return _Worker()
        except BaseException:
            with self.lock:
                self.count -= 1
                self.lock.notify()
            raise

    def release(self, worker: _Worker, alive: bool) -> None:
        with self.lock:
            if alive and worker.proc.poll() is None:
                self.idle.append(worker)
            else:
                worker.kill()
                self.count -= 1
                if self.count < self.size:  # start the replacement now: it imports while nobody waits
                    self.count += 1
                    self.idle.append(_Worker())
            self.lock.notify()

    def close(self) -> None:
        with self.lock:
            if os.getpid() == self.pid:
                for worker in self.idle:
                    worker.kill()
            self.idle, self.count = [], 0


POOL = _Pool()
atexit.register(POOL.close)


# --------------------------------------------------------------------------------------------------
# The evaluator.
# --------------------------------------------------------------------------------------------------

_ERROR_TYPES: dict[str, type[Exception]] = {
    name: value for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, Exception)
}


def _raise_at(err: BaseException, lineno: int | None) -> NoReturn:
    """Raise ``err`` from a frame of file ``<string>`` at ``lineno``: SpiffWorkflow reads the line from there."""
    if lineno:
        exec(compile("\n" * (lineno - 1) + "raise _err_", "<string>", "exec"), {"_err_": err})
    raise err


def _rebuild(reply: dict[str, Any], raised: list[BaseException]) -> BaseException:
    """The parent-side exception for a failed worker evaluation."""
    if reply["t"] == "budget":
        if reply["kind"] not in ("cpu", "memory", "wall", "size") or not isinstance(reply["limit"], int | float):
            return ScriptWorkerError("the script worker sent a malformed budget error")
        return BudgetExceeded(reply["kind"], reply["limit"], str(reply["detail"]), None)
    if reply["t"] == "helper_error":
        index = reply["index"]
        if not (isinstance(index, int) and 0 <= index < len(raised)):
            return ScriptWorkerError("the script worker named an unknown helper error")
        original: BaseException = raised[index]
        return original
    if reply["type"] == "SandboxViolation":
        from engine.bpmn.sandbox import SandboxViolation

        return SandboxViolation(reply["message"], reply["lineno"])
    cls = _ERROR_TYPES.get(reply["type"]) if reply["module"] == "builtins" else None
    if cls is None:
        return ScriptWorkerError(f"{reply['type']}: {reply['message']}")
    try:
        return cls(*reply["args"])
    except Exception:
        return ScriptWorkerError(f"{reply['type']}: {reply['message']}")


class BoundedEvaluator:
    """Evaluate and execute diagram code under a CPU-time and memory budget (see the module doc).

    ``builtins`` is the sandbox's builtins dict (guards and helpers included), ``helpers`` the helper
    functions within it (they run in this process even when the code runs in the worker).
    """

    def __init__(self, builtins: Mapping[str, Any], helpers: Mapping[str, Callable[..., Any]],
                 limits: ScriptLimits | None = None, policy: type[RestrictingNodeTransformer] | None = None,
                 pool: _Pool | None = None) -> None:
        self.helpers = dict(helpers)
        self.builtins = dict(builtins)
        for name, func in self.helpers.items():
            if self.builtins.get(name) is func and not isinstance(func, type):
                self.builtins[name] = _timed_helper(func)
        self.limits = limits or ScriptLimits()
        self.policy: Any = policy or _default_policy()
        self.pool = pool or POOL
        self.names = _Names(frozenset(self.builtins), frozenset(self.helpers))
        self._plans: dict[tuple[str, Mode], Plan] = {}
        self.helper_spec = tuple(sorted(
            (name, f"native:{value.__name__}" if value in _NATIVE.values() else "rpc")
            for name, value in self.helpers.items()
        ))

    def plan(self, source: str, mode: Mode) -> Plan:
        """The cached classification and guarded code of ``source``."""
        found = self._plans.get((source, mode))
        if found is None:
            found = plan(source, mode, self.names, self.limits.inline_max_nodes, self.policy)
            if len(self._plans) < 256:
                self._plans[source, mode] = found
        return found

    def _inline_ok(self, found: Plan, scope: Mapping[str, Any]) -> bool:
        return found.inline and not any(name in scope for name in found.builtin_refs)

    def evaluate(self, source: str, scope: dict[str, Any], route: Route = "auto") -> Any:
        """``eval`` of ``source`` with globals ``scope`` (task data + external context), under the budget."""
        found = self.plan(source, "eval")
        if route == "inline" or (route == "auto" and self._inline_ok(found, scope)):
            meter = _Meter(self.limits, inline=True)
            scope["__builtins__"] = self.builtins
            scope["_meter_"] = _ACTIVE.meter = meter
            try:
                value = eval(found.code, scope)
            except _Escalate:
                pass
            finally:
                del scope["_meter_"]
                _ACTIVE.meter = None
            if not meter.escalated:
                if meter.exceeded is not None:
                    raise meter.exceeded
                return value
        return self._in_worker(source, "eval", scope)["value"]

    def run_script(self, source: str, scope: Mapping[str, Any], route: Route = "auto") -> dict[str, Any]:
        """``exec`` of ``source``; returns the scope afterwards.  ``scope`` and its nested values are untouched.

        Names the script assigned to non-data values (functions...) map to :class:`Opaque` when it ran in
        the worker.
        """
        found = self.plan(source, "exec")
        if route == "inline" or (route == "auto" and self._inline_ok(found, scope)):
            work = copy.deepcopy({k: v for k, v in scope.items() if k != "__builtins__"})
            meter = _Meter(self.limits, inline=True)
            work["__builtins__"] = self.builtins
            work["_meter_"] = _ACTIVE.meter = meter
            try:
                with suppress(_Escalate):
                    exec(found.code, work)
            finally:
                _ACTIVE.meter = None
            if not meter.escalated and self._outgrown(found, work):
                meter.escalated = True  # nested sharing (d = [d, d] in a BPMN loop): the worker expands it
            if not meter.escalated:
                if meter.exceeded is not None:
                    raise meter.exceeded
                return work
        reply = self._in_worker(source, "exec", scope)
        after = {k: v for k, v in scope.items() if k not in reply["deleted"]}
        after.update(reply["changed"])
        return after

    def _outgrown(self, found: Plan, work: Mapping[str, Any]) -> bool:
        """True when what an inline script stored is, expanded as a tree, beyond the inline allowance."""
        cap = self.limits.inline_bytes
        total = 0
        for name in found.stored:
            total += _tree_size(work.get(name), cap)
            if total > cap:
                return True
        return False

    def _in_worker(self, source: str, mode: Mode, scope: Mapping[str, Any]) -> dict[str, Any]:
        data = {k: v for k, v in scope.items() if k not in ("__builtins__", "_meter_")}
        payload = pickle.dumps({"mode": mode, "source": source, "scope": pickle.dumps(data),
                                "limits": self.limits, "helpers": self.helper_spec})
        for attempt in range(2):
            worker = self.pool.acquire()
            alive = False
            try:
                reply, raised = worker.request(payload, self.limits, self.helpers)
                alive = True
            except BrokenPipeError:
                if attempt:
                    raise ScriptWorkerError("the script worker is gone") from None
                continue  # the idle worker had died before it read the request: once more, fresh
            finally:
                self.pool.release(worker, alive)
            if reply["t"] == "ok":
                result: dict[str, Any] = reply
                return result
            lineno = reply.get("lineno")
            valid = isinstance(lineno, int) and 0 < lineno <= source.count("\n") + 1  # never trust the child
            err = _rebuild(reply, raised)
            if isinstance(err, BudgetExceeded):
                err.lineno = lineno if valid else None
            _raise_at(err, err.lineno if isinstance(err, BudgetExceeded) else lineno if valid else None)
        raise ScriptWorkerError("unreachable")
