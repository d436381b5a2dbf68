"""``BoundedEvaluator``: run code in process when the classifier proves it bounded, else in the worker."""

from __future__ import annotations

import builtins
import copy
import pickle
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any, NoReturn

from RestrictedPython import RestrictingNodeTransformer

from engine.bpmn.budget.child import NATIVE
from engine.bpmn.budget.compiling import default_policy
from engine.bpmn.budget.limits import BudgetExceeded, Escalate, Mode, Route, ScriptLimits, ScriptWorkerError
from engine.bpmn.budget.meter import ACTIVE, Meter, timed_helper
from engine.bpmn.budget.plan import Names, Plan, plan
from engine.bpmn.budget.pool import POOL, Pool
from engine.bpmn.budget.sizes import expanded_size, tree_size

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


_NOT_DATA = ("__builtins__", "_meter_")


class BoundedEvaluator:
    """Evaluate and execute diagram code under a CPU-time and memory budget (see the module doc).

    ``builtins`` is the sandbox's builtins dict (guards and helpers included), ``helpers`` the helper
    functions within it (they run in this process even when the code runs in the worker).
    """

    def __init__(self, builtins: Mapping[str, Any], helpers: Mapping[str, Callable[..., Any]],
                 limits: ScriptLimits | None = None, policy: type[RestrictingNodeTransformer] | None = None,
                 pool: Pool | None = None) -> None:
        self.helpers = dict(helpers)
        self.builtins = dict(builtins)
        for name, func in self.helpers.items():
            if self.builtins.get(name) is func and not isinstance(func, type):
                self.builtins[name] = timed_helper(func)
        self.limits = limits or ScriptLimits()
        self.policy: Any = policy or default_policy()
        self.pool = pool or POOL
        self.names = Names(frozenset(self.builtins), frozenset(self.helpers))
        self._plans: dict[tuple[str, Mode], Plan] = {}
        self.helper_spec = tuple(sorted(
            (name, f"native:{value.__name__}" if value in NATIVE.values() else "rpc")
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
        """Inline when the plan allows it, no data shadows a builtin it reads, and the data is small: a single
        statement costs up to its nodes x the data it reads (``sorted(xs)``, ``x in xs``), unticked."""
        if not found.inline or any(name in scope for name in found.builtin_refs):
            return False
        cap = self.limits.inline_bytes
        return expanded_size([v for k, v in scope.items() if k not in _NOT_DATA], cap) <= cap

    def evaluate(self, source: str, scope: dict[str, Any], route: Route = "auto") -> Any:
        """``eval`` of ``source`` with globals ``scope`` (task data + external context), under the budget."""
        found = self.plan(source, "eval")
        if route == "inline" or (route == "auto" and self._inline_ok(found, scope)):
            meter = Meter(self.limits, inline=True)
            scope["__builtins__"] = self.builtins
            scope["_meter_"] = ACTIVE.meter = meter
            try:
                value = eval(found.code, scope)
            except Escalate:
                pass
            finally:
                del scope["_meter_"]
                ACTIVE.meter = None
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
            meter = Meter(self.limits, inline=True)
            work["__builtins__"] = self.builtins
            work["_meter_"] = ACTIVE.meter = meter
            try:
                with suppress(Escalate):
                    exec(found.code, work)
            finally:
                ACTIVE.meter = None
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
            total += tree_size(work.get(name), cap)
            if total > cap:
                return True
        return False

    def _in_worker(self, source: str, mode: Mode, scope: Mapping[str, Any]) -> dict[str, Any]:
        data = {k: v for k, v in scope.items() if k not in _NOT_DATA}
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
