"""Run user-supplied diagram scripts and expressions under RestrictedPython instead of plain eval/exec.

Diagrams are uploaded by users, so every script task, gateway condition, timer expression and DMN
cell goes through :class:`SandboxedEnvironment`: no imports, no dunder or frame access, no ``open``,
``eval``, ``exec``, ``compile``, ``globals`` or ``vars``; only safe builtins, guards and helpers.
"""

from __future__ import annotations

import ast
import functools
import operator
import textwrap
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import CodeType
from typing import Any, Literal

from RestrictedPython import RestrictingNodeTransformer, safe_builtins
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, IOPERATOR_TO_STR, copy_locations
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn.budget import BoundedEvaluator, ScriptLimits, compile_guarded
from engine.bpmn.determinism import (
    HOST_CLOCK_ATTRIBUTES,
    StablePrintCollector,
    StableStr,
    data_problem,
    refused_builtin,
    stable_error_text,
    stable_math,
    stable_repr,
    stable_result,
)
from engine.bpmn.feel_expressions import evaluate_feel, is_feel
from engine.bpmn.helpers import default_helpers
from engine.domain.clock import Clock

Mode = Literal["eval", "exec"]

_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
    "@=": operator.imatmul,
}

_SCALARS = (str, int, float, bool, type(None))
_MAX_DATA_DEPTH = 64


class SandboxViolation(Exception):
    """A script or expression was refused by the sandbox, or tried something it forbids."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.lineno = lineno


class _GridcasePolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, refusing imports and classes, allowing ``data['k'] += 1``."""

    def visit_Import(self, node: ast.Import) -> ast.AST:  # noqa: N802 - ast visitor protocol
        """Refuse ``import x`` at compile time."""
        self.error(node, f'Imports are not allowed ("import {node.names[0].name}").')
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:  # noqa: N802 - ast visitor protocol
        """Refuse ``from x import y`` at compile time."""
        self.error(node, f'Imports are not allowed ("from {node.module} import ...").')
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802 - ast visitor protocol
        """Refuse class definitions: diagram scripts work on plain data."""
        self.error(node, f'Class definitions are not allowed ("class {node.name}").')
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST | Iterable[ast.AST] | None:  # noqa: N802 - ast visitor
        """Rewrite ``a[k] op= v`` (side-effect-free ``a`` and ``k``) into guarded get/inplace/write."""
        target = node.target
        if not (isinstance(target, ast.Subscript) and _is_simple(target.value) and _is_simple(target.slice)):
            return super().visit_AugAssign(node)
        load = ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load())
        store = ast.Subscript(value=_clone(target.value), slice=_clone(target.slice), ctx=ast.Store())
        for new in (load, store):
            copy_locations(new, target)
        value = ast.Call(
            func=ast.Name("_inplacevar_", ast.Load()),
            args=[ast.Constant(IOPERATOR_TO_STR[type(node.op)]), self.visit(load), self.visit(node.value)],
            keywords=[],
        )
        assign = ast.Assign(targets=[self.visit(store)], value=value)
        copy_locations(value, node)
        copy_locations(assign, node)
        return assign


def _is_simple(node: ast.AST) -> bool:
    """True for names, constants and attribute/item chains of them: safe to evaluate twice."""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    if isinstance(node, ast.Attribute):
        return _is_simple(node.value)
    if isinstance(node, ast.Subscript):
        return _is_simple(node.value) and _is_simple(node.slice)
    return False


def _clone(node: ast.expr) -> ast.expr:
    """Deep-copy an expression node so the load and store sides are transformed independently."""
    copied = ast.parse(ast.unparse(node), mode="eval").body
    return ast.copy_location(copied, node)


@functools.lru_cache(maxsize=2048)
def compile_sandboxed(source: str, mode: Mode) -> CodeType:
    """Compile ``source`` as the evaluator runs it (cached); SyntaxError or SandboxViolation if refused.

    Deploying and the designer's lint call this: what they accept is what runs (the policy, the budget's
    guards, its size limit).
    """
    return compile_guarded(source, mode, _GridcasePolicy)


def _guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """Guard for ``obj.name`` and ``getattr()``: private, dunder and frame attributes are refused."""
    if isinstance(name, str) and name.startswith("_"):
        raise SandboxViolation(
            f'Refused by the sandbox: "{name}" is an invalid attribute name because it starts with "_".'
        )
    if name in INSPECT_ATTRIBUTES:
        raise SandboxViolation(f'Refused by the sandbox: "{name}" is a restricted attribute name.')
    if name in HOST_CLOCK_ATTRIBUTES:  # replay must see the same time: the case's clock, never the host's
        raise SandboxViolation(f'Refused by the sandbox: ".{name}()" reads the host\'s clock; use now() or now_iso().')
    try:
        value = safer_getattr_raise(obj, name, *default)
    except NotImplementedError as err:
        raise SandboxViolation(f"Refused by the sandbox: {err}") from err
    if name == "args" and isinstance(obj, BaseException):  # Python quotes objects, addresses included
        return tuple(stable_error_text(a) if isinstance(a, str) else a for a in value)
    return value


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    """Guard for ``x op= y``."""
    return _INPLACE_OPS[op](target, value)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Guard for calls with ``*args``/``**kwargs``."""
    return func(*args, **kwargs)


def _base_builtins() -> dict[str, Any]:
    """RestrictedPython's safe builtins plus harmless extras and the guards the policy relies on."""
    names = dict(safe_builtins)
    names.pop("__build_class__", None)
    names.update(
        len=len, min=min, max=max, sum=sum, any=any, all=all, sorted=sorted, reversed=reversed,
        enumerate=enumerate, zip=zip, map=map, filter=filter, list=list, dict=dict, set=set,
        frozenset=frozenset, tuple=tuple, range=range, math=stable_math(), getattr=_guarded_getattr,
    )
    # Replay re-runs scripts in another process: nothing may give another answer there (engine/bpmn/determinism.py).
    names.update(
        str=StableStr, repr=stable_repr,
        hash=refused_builtin("hash", "differs from process to process (Python salts string hashes)"),
        id=refused_builtin("id", "is a memory address, which differs from run to run"),
    )
    names.update(
        _getattr_=_guarded_getattr, _getitem_=operator.getitem, _getiter_=iter, _write_=full_write_guard,
        _iter_unpack_sequence_=guarded_iter_unpack_sequence, _unpack_sequence_=guarded_unpack_sequence,
        _inplacevar_=_inplacevar, _apply_=_apply, _print_=StablePrintCollector,
    )
    return names


def _is_data(value: Any, depth: int = 0) -> bool:
    """True for JSON-like values: scalars, lists/tuples and dicts with scalar keys, nested."""
    if isinstance(value, _SCALARS):
        return True
    if depth > _MAX_DATA_DEPTH:
        return False
    if isinstance(value, list | tuple):
        return all(_is_data(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, _SCALARS) and _is_data(v, depth + 1) for k, v in value.items())
    return False


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that evaluates and executes code under RestrictedPython, within the
    CPU-time and memory budget of ``limits`` (``engine.bpmn.budget``; default: ``ScriptLimits()``)."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], limits: ScriptLimits | None = None) -> None:
        super().__init__()
        self.helpers = dict(helpers)
        self.builtins = _base_builtins()
        self.builtins.update(self.helpers)
        self.bounded = BoundedEvaluator(self.builtins, self.helpers, limits)

    @property
    def limits(self) -> ScriptLimits:
        """The budget every evaluation runs under."""
        return self.bounded.limits

    def _globals(self, context: Mapping[str, Any], external: Mapping[str, Any] | None) -> dict[str, Any]:
        """Task data over external context, with the sandbox's builtins (guards and helpers)."""
        scope = dict(external) if external else {}
        scope.update(context)
        scope["__builtins__"] = self.builtins
        return scope

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Evaluate ``expression`` against task data ``context``; the data is not modified."""
        return stable_result(self.bounded.evaluate(expression, self._globals(context, external_context)))

    def execute(
        self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> bool:
        """Run ``script``; top-level data it assigns or deletes is written back into ``context``.

        It runs on a deep copy (made by the evaluator, or in the worker): SpiffWorkflow shares nested lists and
        dicts between a task's data and its ancestors' (its data merge copies shallowly), so in-place edits
        must not reach them.
        """
        external = external_context or {}
        self.check_for_overwrite(context, external)
        after = self.bounded.run_script(script, self._globals(context, external))
        self._copy_back(after, context, external)
        return True

    def _copy_back(self, scope: Mapping[str, Any], context: dict[str, Any], external: Mapping[str, Any]) -> None:
        """Store new/changed JSON-like top-level variables in ``context``; drop deleted ones.

        Other values (functions, modules, datetimes...) are script-local temporaries and are not stored.
        NaN and the infinities are refused: task data is JSON, and the case's events must stay valid JSON.
        """
        changed = {k: v for k, v in scope.items() if k not in external and (k not in context or context[k] != v)}
        updates = {k: v for k, v in changed.items() if not k.startswith("_") and _is_data(v)}
        if hidden := sorted(set(updates) & set(self.helpers)):
            raise ValueError(f"The script assigns to helper(s) {', '.join(map(repr, hidden))}; rename it.")
        for name, value in updates.items():
            if problem := data_problem(value, name):
                raise ValueError(f"The script sets {problem}")
        for name in [name for name in context if name not in scope]:
            del context[name]
        context.update(updates)

    def check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        """Refuse task data whose names would hide a helper or an external-context value."""
        clashes = sorted((set(self.helpers) | set(external_context)) & set(context))
        if clashes:
            raise ValueError(
                f"Task data would hide the helper(s) or external value(s) {', '.join(map(repr, clashes))}; "
                "rename the variable(s) or field(s)."
            )

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are not supported: gridcase diagrams cannot call out of the sandbox."""
        operation = kwargs.get("operation_name")
        raise SandboxViolation(f"Refused by the sandbox: service tasks are not supported (operation {operation!r}).")


class GridcaseScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine, sandboxed, with gridcase's helpers bound to ``clock``."""

    def __init__(self, clock: Clock, extra_helpers: Mapping[str, Callable[..., Any]] | None = None,
                 limits: ScriptLimits | None = None) -> None:
        self.clock = clock
        helpers = default_helpers(clock)
        helpers.update(extra_helpers or {})
        self.environment: SandboxedEnvironment = SandboxedEnvironment(helpers, limits)
        super().__init__(environment=self.environment)

    @property
    def limits(self) -> ScriptLimits:
        """The budget of this engine's scripts and expressions (decision tables read it too)."""
        return self.environment.limits

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        """PythonScriptEngine.evaluate, keeping the cause (``.exception``) and naming it in the message; text
        starting with ``=`` is FEEL (engine.bpmn.feel_expressions), its result JSON-ready task data."""
        return self._evaluate(task, expression, external_context, raw=False)

    def evaluate_feel_raw(self, task: Any, expression: str) -> Any:
        """The FEEL value itself of ``=…`` ``expression`` (timers read dates and durations from it)."""
        return self._evaluate(task, expression, None, raw=True)

    def _feel_clock(self) -> datetime:
        # The ``now`` helper, not the clock itself: replay swaps in a recorder that answers as the case first saw.
        now = self.environment.helpers.get("now")
        return now() if callable(now) else self.clock.now()

    def _evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None, *,
                  raw: bool) -> Any:
        try:
            if is_feel(expression):
                return evaluate_feel(expression, task.data, limits=self.limits, clock=self._feel_clock,
                                     external=external_context, raw=raw)
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            wrapped = WorkflowTaskException(
                f"Error evaluating expression '{expression}': {err}", task=task, exception=err
            )
            wrapped.exception = err
            raise wrapped from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        """PythonScriptEngine's wrapping of script errors, keeping the cause (``.exception``) and its line.

        SpiffWorkflow's version fails with a TypeError when the error's first argument is not a string
        (``KeyError(5)``), so the wrapping is redone here.
        """
        if isinstance(err, SpiffWorkflowException):
            spiff_wrapped: Exception = super().create_task_exec_exception(task, script, err)
            return spiff_wrapped
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        if not line_number and isinstance(err, SandboxViolation) and err.lineno:
            line_number = err.lineno
            error_line = textwrap.dedent(script).splitlines()[line_number - 1]
        detail = type(err).__name__ + (f":{err.args[0]}" if err.args else "")
        wrapped = WorkflowTaskException(
            detail, task=task, exception=err, line_number=line_number, error_line=error_line
        )
        wrapped.exception = err
        wrapped.__cause__ = err
        redone: Exception = wrapped
        return redone

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        """Service tasks are refused (SpiffWorkflow's own wrapper here has a NameError bug)."""
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err
