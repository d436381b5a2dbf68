"""The budget worker, child side: run requests under kernel limits, call helpers back in the parent."""

from __future__ import annotations

import json
import math
import os
import pickle
import resource
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.bpmn.budget.compiling import default_policy
from engine.bpmn.budget.limits import MIB, BudgetExceeded, ScriptLimits
from engine.bpmn.budget.meter import Meter
from engine.bpmn.budget.plan import worker_code
from engine.bpmn.budget.transport import read_frame, to_json, write_frame

# --------------------------------------------------------------------------------------------------
# The worker process (child side).
# --------------------------------------------------------------------------------------------------

NATIVE = {"timedelta": timedelta, "datetime": datetime, "date": date}
ROOT = str(Path(__file__).resolve().parents[3])  # the repository: the worker imports gridcase from it
BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from engine.bpmn.budget.child import worker_main; worker_main()"


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
    as_soft = _vm_bytes() + limits.memory_bytes + 32 * MIB
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


class Child:
    """The worker's side: run requests under kernel limits, call helpers back in the parent."""

    def __init__(self, out_fd: int, in_fd: int) -> None:
        from engine.bpmn.sandbox import _base_builtins

        self.out_fd, self.in_fd = out_fd, in_fd
        self.base = _base_builtins()
        self.builtins_cache: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        self.policy: Any = default_policy()  # Any: typeshed's Hashable check trips on the class

    def send(self, message: dict[str, Any]) -> None:
        write_frame(self.out_fd, json.dumps(message).encode())

    def _stub(self, name: str) -> Callable[..., Any]:
        def call_parent(*args: Any, **kwargs: Any) -> Any:
            self.send({"t": "call", "name": name, "args": to_json(list(args)), "kwargs": to_json(kwargs)})
            reply = pickle.loads(read_frame(self.in_fd))
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
                names[name] = NATIVE[how[7:]] if how.startswith("native:") else self._stub(name)
            self.builtins_cache[helpers] = names
        return self.builtins_cache[helpers]

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """One evaluation; returns the reply (JSON-ready)."""
        limits: ScriptLimits = request["limits"]
        code = worker_code(request["source"], request["mode"], self.policy)
        scope = pickle.loads(request["scope"])
        original = pickle.loads(request["scope"]) if request["mode"] == "exec" else {}
        meter = Meter(limits, inline=False)
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
                request = pickle.loads(read_frame(self.in_fd))
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
            write_frame(self.out_fd, raw if raw is not None else json.dumps(reply).encode())


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
    """Entry point of a worker process (``python -c BOOT root``): serve requests on stdin/stdout."""
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # stray writes to stdout must not corrupt the protocol
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for sig in (signal.SIGPROF, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_DFL)  # the default action terminates the process
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPROF, signal.SIGXCPU})  # the mask survives exec
    Child(out_fd, 0).serve()
