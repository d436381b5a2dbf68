"""The classifier: which code is provably bounded and may run in process (see the package docstring)."""

from __future__ import annotations

import ast
import builtins
import functools
from dataclasses import dataclass
from types import CodeType
from typing import Any

from engine.bpmn.budget.calls import CALL_ONLY, SAFE_ATTRS, SAFE_CALLS, SAFE_METHODS, check_builtin_call
from engine.bpmn.budget.compiling import compile_guarded, compile_tree, default_policy, parse_source, refuse
from engine.bpmn.budget.limits import Mode
from engine.bpmn.budget.statements import (
    MUTATING_METHODS,
    NotInline,
    ScriptNames,
    check_statements,
    root_name,
    script_names,
)

_ALWAYS_OK = frozenset({"None", "True", "False", "math", "isinstance"})

_INLINE_NODES: frozenset[type[ast.AST]] = frozenset({
    ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.Pass, ast.Delete,
    ast.Assert, ast.Raise, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Dict,
    ast.List, ast.Tuple, ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice,
    ast.Call, ast.keyword, ast.JoinedStr, ast.FormattedValue, ast.Load, ast.Store, ast.Del,
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift,
    ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.Invert, ast.Not, ast.UAdd, ast.USub, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
    # each runs its body at most once per run of the node (the extra checks are in _InlineCheck):
    ast.Try, ast.ExceptHandler, ast.Lambda, ast.arguments, ast.arg,
    ast.GeneratorExp, ast.comprehension,  # only as all(...)/any(...): each step is timed (Meter.loop)
})
_REDUCERS = frozenset({"all", "any"})  # a generator expression they consume keeps nothing but a bool


_SET_OPERATORS = (ast.Sub, ast.BitAnd, ast.BitOr, ast.BitXor)


@dataclass(frozen=True)
class Names:
    """What the environment's builtins are: decides which names are data and which are functions."""

    builtins: frozenset[str]
    helpers: frozenset[str]


class _InlineCheck(ast.NodeVisitor):
    """Raise :class:`NotInline` unless the tree is in the provably bounded class (see module doc)."""

    def __init__(self, mode: Mode, names: Names, max_nodes: int, script: ScriptNames) -> None:
        self.mode, self.names, self.max_nodes, self.script = mode, names, max_nodes, script
        self.nodes = 0
        self.builtin_refs: set[str] = set()
        self.reduced: set[int] = set()  # id() of generator expressions that all()/any() consume

    def generic_visit(self, node: ast.AST) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise NotInline(f"more than {self.max_nodes} nodes")
        if type(node) not in _INLINE_NODES:
            raise NotInline(type(node).__name__)
        super().generic_visit(node)

    def _ref(self, name: str) -> None:
        """A builtin name read by the code (a data key of the same name must not shadow it inline)."""
        if name in self.names.builtins or name in SAFE_CALLS:
            self.builtin_refs.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        """A builtin used as a value must be harmless; other names are task data."""
        name = node.id
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load):
            self._check_binding(name)
        elif name in self.script.lambdas:  # called by name only: no function reaches another (no recursion)
            raise NotInline(f"passes the function {name!r} around")
        harmless = name in SAFE_CALLS or name in _ALWAYS_OK or _is_exception(name)
        if name in self.names.builtins and name not in self.names.helpers and (name in CALL_ONLY or not harmless):
            raise NotInline(f"uses {name!r}")
        self._ref(name)

    def _check_binding(self, name: str) -> None:
        if name in self.names.builtins or name in SAFE_CALLS:
            raise NotInline(f"binds the builtin name {name!r}")

    def visit_Try(self, node: ast.Try) -> None:
        """``try``/``except``/``else``: each body runs at most once; no ``finally``."""
        if node.finalbody:
            raise NotInline("try ... finally")
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        """Only named ``Exception`` subclasses: a bare ``except`` or ``BaseException`` would catch Escalate."""
        types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        if not all(isinstance(t, ast.Name) and _is_exception(t.id) and issubclass(getattr(builtins, t.id), Exception)
                   for t in types):
            raise NotInline("except without named Exception classes")
        if node.name:
            self._check_binding(node.name)
        self.generic_visit(node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        """Only as the argument of ``all``/``any``: the steps are timed, nothing but a bool is kept."""
        if id(node) not in self.reduced or any(g.is_async for g in node.generators):
            raise NotInline("GeneratorExp")
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        """``name = lambda a, b: ...`` bound once, called by name, reading only its parameters and task data."""
        args = node.args
        if id(node) not in self.script.lambda_nodes:
            raise NotInline("a lambda not bound once to a name")
        if args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg or args.defaults:
            raise NotInline("a lambda with defaults or */** parameters")
        for arg in args.args:
            self._check_binding(arg.arg)
            if arg.arg in self.script.assigned:
                raise NotInline(f"lambda parameter {arg.arg!r} is also a name the script binds")
        reads = {n.id for n in ast.walk(node.body) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if reads & self.script.assigned:
            raise NotInline(f"a lambda reads {sorted(reads & self.script.assigned)}, bound by the script")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        """``d.keys() - e.keys()`` (also ``& | ^``) builds a set: the worker (see ``SAFE_CALLS``)."""
        self.generic_visit(node)  # first: it stops at inline_max_nodes, so the walk below stays small
        if isinstance(node.op, _SET_OPERATORS) and any(
                isinstance(n, ast.Attribute) and n.attr in ("keys", "items") for n in ast.walk(node)):
            raise NotInline("a set operation on dict keys or items")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """Attribute reads: only whitelisted attributes and non-amplifying methods."""
        if not isinstance(node.ctx, ast.Load):
            raise NotInline("attribute assignment")
        if node.attr not in SAFE_ATTRS and node.attr not in SAFE_METHODS:
            raise NotInline(f"attribute {node.attr!r}")
        self.nodes += 1
        self._visit_receiver(node.value)

    def _visit_receiver(self, value: ast.expr) -> None:
        """``str.lower`` is fine although ``str`` may not be passed around."""
        if isinstance(value, ast.Name) and value.id in CALL_ONLY:
            self.nodes += 1
            self._ref(value.id)
        else:
            self.visit(value)

    def visit_Call(self, node: ast.Call) -> None:
        """Calls: whitelisted builtins, helpers, whitelisted methods; no ``*``/``**`` arguments."""
        self.nodes += 1
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise NotInline("*args/**kwargs")
        func = node.func
        if isinstance(func, ast.Name):
            self._check_function(func.id, node)
            self._ref(func.id)
        elif isinstance(func, ast.Attribute):
            self._check_method(func, node)
        else:
            raise NotInline("call of a computed function")
        for arg in self._plain_args(node, func.id if isinstance(func, ast.Name) else ""):
            self.visit(arg)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def _plain_args(self, node: ast.Call, name: str) -> list[ast.expr]:
        """The arguments to visit as ordinary code: all of them (``isinstance``'s type names are checked)."""
        args = node.args
        if name in _REDUCERS and len(args) == 1 and not node.keywords:
            self.reduced.add(id(args[0]))
        if name == "isinstance" and name not in self.names.helpers:  # exactly two: check_builtin_call
            for type_name in ast.walk(args[1]):
                if isinstance(type_name, ast.Name):
                    self._ref(type_name.id)
            return args[:1]
        return args

    def _check_function(self, name: str, node: ast.Call) -> None:
        if name in self.names.helpers or name in self.script.lambdas:
            return
        check_builtin_call(name, node)

    def _check_method(self, func: ast.Attribute, node: ast.Call) -> None:
        attr = func.attr
        if attr == "join" and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            return
        if attr in MUTATING_METHODS and self.mode == "exec":
            if root_name(func.value) is None:  # max(d["lists"]).append(...) mutates data through an alias
                raise NotInline(f"{attr}() on a computed receiver")
            self._visit_receiver(func.value)
            return
        if attr not in SAFE_METHODS:
            raise NotInline(f"method {attr!r}")
        self._visit_receiver(func.value)


def _is_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


@dataclass(frozen=True)
class Plan:
    """How one (source, mode) runs: its guarded code, and whether it is provably bounded (inline)."""

    code: CodeType
    inline: bool
    reason: str  # why it runs in the worker ("" when inline)
    builtin_refs: tuple[str, ...]  # builtins it reads: a task-data key of the same name sends it to the worker
    stored: tuple[str, ...]  # names a script assigns or mutates (their size is checked after an inline run)


@functools.lru_cache(maxsize=4096)
def plan(source: str, mode: Mode, names: Names, max_nodes: int, policy: Any = None) -> Plan:
    """Classify and compile ``source`` (cached); SyntaxError or SandboxViolation if the sandbox refuses it."""
    try:
        tree = parse_source(source, mode)
    except RecursionError:
        refuse("it is nested too deeply to compile")
    check = _InlineCheck(mode, names, max_nodes, script_names(tree))
    stored: set[str] = set()
    settle: dict[tuple[int, int], tuple[str, ...]] = {}
    try:
        check.visit(tree)
        if isinstance(tree, ast.Module):
            stored, settle = check_statements(tree, check.script)
        reason = ""
    except NotInline as why:
        reason = str(why)
    except RecursionError:
        reason = "nested too deeply to classify"
    try:
        code = compile_tree(tree, mode, policy or default_policy(), settle if not reason else None)
    except RecursionError:
        refuse("it is nested too deeply to compile")
    return Plan(code, not reason, reason, tuple(sorted(check.builtin_refs)), tuple(sorted(stored)))


@functools.lru_cache(maxsize=1024)
def worker_code(source: str, mode: Mode, policy: Any) -> CodeType:
    """The worker's compile cache (the same guarded code the parent would run inline)."""
    return compile_guarded(source, mode, policy)
