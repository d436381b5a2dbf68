"""The classifier's statement-level rules: which statements may read what earlier ones stored, and which names
the inline run must settle (check as trees within the allowance) after each statement (see the package doc)."""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field

# Mutating methods: scripts only (their scope is a deep copy), and they count as assigning the receiver.
MUTATING_METHODS = frozenset({"append", "pop", "setdefault", "update", "remove", "clear", "sort", "insert"})
_AMPLIFYING = (ast.Add, ast.Mult, ast.Pow, ast.LShift, ast.Mod)


class NotInline(Exception):
    """The code is not provably bounded; the message says why (for tests and logs)."""


@dataclass(frozen=True)
class ScriptNames:
    """Names a script binds at statement level, and its functions: ``name = lambda ...``, bound once."""

    assigned: frozenset[str]
    lambdas: frozenset[str]
    lambda_nodes: frozenset[int]  # id() of those lambda expressions
    params: frozenset[str]  # their parameters


def script_names(tree: ast.AST) -> ScriptNames:
    """The statement-level bindings of ``tree`` (comprehension variables are local to their comprehension)."""
    local = {id(n) for c in ast.walk(tree) if isinstance(c, ast.comprehension) for n in ast.walk(c.target)}
    bound = Counter(n.id for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load) and id(n) not in local)
    bound.update(h.name for h in ast.walk(tree) if isinstance(h, ast.ExceptHandler) and h.name)
    lambdas = {stmt.targets[0].id: stmt.value for stmt in ast.walk(tree)
               if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda) and len(stmt.targets) == 1
               and isinstance(stmt.targets[0], ast.Name) and bound[stmt.targets[0].id] == 1}
    params = {a.arg for value in lambdas.values() for a in value.args.args}
    return ScriptNames(frozenset(bound), frozenset(lambdas), frozenset(map(id, lambdas.values())), frozenset(params))


def root_name(node: ast.expr) -> str | None:
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
    roots = [root_name(e) for t in targets for e in (t.elts if isinstance(t, ast.Tuple | ast.List) else [t])]
    roots += [root_name(n.func.value) for n in ast.walk(stmt)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATING_METHODS]
    if None in roots:  # f(d)[k] = v: which object changes is not known statically
        raise NotInline(f"line {getattr(stmt, 'lineno', '?')} assigns into a computed value")
    return stores | {r for r in roots if r is not None}


def _rebound(stmt: ast.stmt) -> set[str]:
    """Names an assignment or ``del`` binds anew (``x = f(x)``, ``a, b = ...``): not a change in place."""
    if not isinstance(stmt, ast.Assign | ast.Delete):
        return set()
    return {e.id for t in stmt.targets for e in (t.elts if isinstance(t, ast.Tuple | ast.List) else [t])
            if isinstance(e, ast.Name)}


def _effects(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    """Names a simple statement reads *bare* (not as ``x[...]``/``x.m``), and names it assigns or mutates."""
    parents = {id(child): parent for parent in ast.walk(stmt) for child in ast.iter_child_nodes(parent)}
    bare = {node.id for node in ast.walk(stmt) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
            and not isinstance(parents.get(id(node)), ast.Attribute | ast.Subscript)}
    return bare, _stores(stmt, _targets(stmt))


def _check_doubling(stmt: ast.stmt, computed: set[str]) -> None:
    """No ``+ * ** << %`` of two values computed above (or two lambda parameters): a line must not be able to
    double what the line before built (the meter bounds the rest)."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.BinOp) and isinstance(node.op, _AMPLIFYING):
            sides = (node.left, node.right)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, _AMPLIFYING):
            sides = (node.target, node.value)
        else:
            continue
        if all({n.id for n in ast.walk(side) if isinstance(n, ast.Name)} & computed for side in sides):
            raise NotInline(f"line {stmt.lineno} combines two values computed above: sizes could double per line")


@dataclass
class _Walk:
    names: ScriptNames
    assigned: set[str] = field(default_factory=set)
    stored: dict[tuple[int, int], set[str]] = field(default_factory=dict)


def _simple(stmt: ast.stmt, walk: _Walk) -> None:
    bare, stores = _effects(stmt)
    mutated = stores - _rebound(stmt)  # x += [x], d[k] = d, l.append(l) would nest x in x
    if mutated & walk.assigned:  # an alias of data (or of another name) would change unseen
        raise NotInline(f"line {stmt.lineno} changes {sorted(mutated & walk.assigned)} in place after assigning it")
    if mutated & bare:
        raise NotInline(f"line {stmt.lineno} stores {sorted(mutated & bare)} into itself")
    _check_doubling(stmt, walk.assigned | walk.names.params)
    if stores and not isinstance(stmt, ast.Delete):
        walk.stored[stmt.lineno, stmt.col_offset] = stores
    walk.assigned |= stores


def _statements(body: list[ast.stmt], walk: _Walk) -> None:
    for stmt in body:
        if isinstance(stmt, ast.If):
            _simple(ast.copy_location(ast.Expr(stmt.test), stmt), walk)
            _statements(stmt.body, walk)
            _statements(stmt.orelse, walk)
        elif isinstance(stmt, ast.Try):
            _statements(stmt.body, walk)
            for handler in stmt.handlers:
                walk.assigned |= {handler.name} if handler.name else set()
                _statements(handler.body, walk)
            _statements(stmt.orelse, walk)
        else:
            _simple(stmt, walk)


def check_statements(tree: ast.Module, names: ScriptNames) -> tuple[set[str], dict[tuple[int, int], tuple[str, ...]]]:
    """The names the script stores, and after which statement (line, column) to settle which of them: those a
    statement reads (lambdas excepted: they are not data).  NotInline when a statement breaks a rule above."""
    walk = _Walk(names)
    _statements(tree.body, walk)
    loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    settle = {key: tuple(sorted((stores & loads) - names.lambdas)) for key, stores in walk.stored.items()}
    return walk.assigned, {key: names for key, names in settle.items() if names}
