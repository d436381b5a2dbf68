"""The classifier: which code is provably bounded and may run in process (see the package docstring)."""

from __future__ import annotations

import ast
import builtins
import functools
from dataclasses import dataclass
from types import CodeType
from typing import Any

from engine.bpmn.budget.compiling import compile_guarded, compile_tree, default_policy, parse_source, refuse
from engine.bpmn.budget.limits import Mode

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
class Names:
    """What the environment's builtins are: decides which names are data and which are functions."""

    builtins: frozenset[str]
    helpers: frozenset[str]


class _InlineCheck(ast.NodeVisitor):
    """Raise :class:`_NotInline` unless the tree is in the provably bounded class (see module doc)."""

    def __init__(self, mode: Mode, names: Names, max_nodes: int) -> None:
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
def plan(source: str, mode: Mode, names: Names, max_nodes: int, policy: Any = None) -> Plan:
    """Classify and compile ``source`` (cached); SyntaxError or SandboxViolation if the sandbox refuses it."""
    try:
        tree = parse_source(source, mode)
    except RecursionError:
        refuse("it is nested too deeply to compile")
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
        code = compile_tree(tree, mode, policy or default_policy())
    except RecursionError:
        refuse("it is nested too deeply to compile")
    return Plan(code, not reason, reason, tuple(sorted(check.builtin_refs)), tuple(sorted(stored)))


@functools.lru_cache(maxsize=1024)
def worker_code(source: str, mode: Mode, policy: Any) -> CodeType:
    """The worker's compile cache (the same guarded code the parent would run inline)."""
    return compile_guarded(source, mode, policy)
