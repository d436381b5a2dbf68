"""The budget worker, parent side: spawn, talk to, kill and replace the per-process workers."""

from __future__ import annotations

import atexit
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from engine.bpmn.budget.child import BOOT, ROOT
from engine.bpmn.budget.limits import MIB, BudgetExceeded, ScriptLimits, ScriptWorkerError
from engine.bpmn.budget.meter import ACTIVE, call_charged
from engine.bpmn.budget.transport import from_json, read_frame, write_frame

# --------------------------------------------------------------------------------------------------
# The worker process (parent side) and the per-process pool.
# --------------------------------------------------------------------------------------------------


class _Worker:
    """One spawned worker process and its pipes."""

    def __init__(self) -> None:
        # A fixed hash salt: a set of strings iterates in the same order in every worker, every run (replay).
        self.proc = subprocess.Popen(
            [sys.executable, "-c", BOOT, ROOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=0, close_fds=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.in_fd, self.out_fd = self.proc.stdout.fileno(), self.proc.stdin.fileno()
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            try:
                hello = from_json(read_frame(self.in_fd, time.monotonic() + 60))
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
        write_frame(self.out_fd, payload)
        deadline = time.monotonic() + limits.wall()
        raised: list[BaseException] = []
        helper_seconds = 0.0
        while True:
            try:
                reply = from_json(read_frame(self.in_fd, deadline, limits.max_result_bytes + MIB))
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
            helper_seconds += ACTIVE.charged  # the parent's CPU time, outside the worker's limits
            if helper_seconds > limits.cpu_seconds:
                self.kill()
                raise BudgetExceeded("cpu", limits.cpu_seconds, "time spent in helper functions")
            deadline += spent  # not the worker's wall time
            write_frame(self.out_fd, answer)


def _call_helper(helpers: Mapping[str, Callable[..., Any]], call: dict[str, Any],
                 raised: list[BaseException]) -> bytes:
    """Run a helper the worker asked for, in the parent; pickle its result or exception back."""
    try:
        ACTIVE.charged = 0.0
        result = call_charged(helpers[call["name"]], *call["args"], **call["kwargs"])
        return pickle.dumps(("ret", result))
    except Exception as err:
        raised.append(err)
        try:
            return pickle.dumps(("raise", len(raised) - 1, err))
        except Exception:
            return pickle.dumps(("raise", len(raised) - 1, RuntimeError(str(err))))


class Pool:
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


POOL = Pool()
atexit.register(POOL.close)
