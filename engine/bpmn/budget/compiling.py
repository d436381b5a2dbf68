"""Compiling diagram code as it runs: the sandbox policy, then the rewrite that routes amplifying operations
through the meter; a size limit and a recursion guard before anything is compiled."""

from __future__ import annotations

import ast
import functools
import re
import textwrap
from collections.abc import Mapping
from types import CodeType, MappingProxyType
from typing import Any, ClassVar, NoReturn

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec

from engine.bpmn.budget.calls import METERED_CALLS
from engine.bpmn.budget.limits import Mode

_BINOP_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "add", ast.Mult: "mul", ast.Pow: "pow", ast.LShift: "lshift", ast.Mod: "mod",
}
_GUARDED_CALLS = frozenset({"str", "repr", "ascii", "round", "pow"})


def _meter_call(method: str, args: list[ast.expr], keywords: list[ast.keyword] | None = None) -> ast.Call:
    """``_meter_.method(*args)``: the meter is a global of each evaluation."""
    func = ast.Attribute(value=ast.Name("_meter_", ast.Load()), attr=method, ctx=ast.Load())
    return ast.Call(func=func, args=args, keywords=keywords or [])


Settle = Mapping[tuple[int, int], tuple[str, ...]]  # statement (line, column) -> names to settle after it


class _OpGuards(ast.NodeTransformer):
    """Runs after RestrictedPython's policy: route amplifying operations through ``_meter_``; time each step of
    a generator expression.  Inline code (``settle`` given) also settles the names listed in ``settle`` after
    their statement, checks the time after every other statement, and routes ``METERED_CALLS`` and slices
    through the meter."""

    def __init__(self, settle: Settle | None) -> None:
        self.settle = settle or {}
        self.inline = settle is not None

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.AST:
        """``(e for x in xs)`` -> ``(e for x in _meter_.loop(xs))``."""
        self.generic_visit(node)
        for generator in node.generators:
            generator.iter = ast.copy_location(_meter_call("loop", [generator.iter]), generator.iter)
        return node

    def settle_bodies(self, tree: ast.AST) -> None:
        """After each statement listed in ``settle``: ``_meter_.settle(name, ...)``."""
        for node in ast.walk(tree):
            for field in ("body", "orelse"):
                body = getattr(node, field, None)
                if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                    setattr(node, field, [new for stmt in body for new in self._settled(stmt)])

    def _settled(self, stmt: ast.stmt) -> list[ast.stmt]:
        names = self.settle.get((stmt.lineno, stmt.col_offset))
        if names:
            call = _meter_call("settle", [ast.Name(name, ast.Load()) for name in names])
        else:  # a statement's own cost is bounded (see meter.call); the time is checked between statements
            call = _meter_call("tick", [])
        return [stmt, ast.copy_location(ast.Expr(call), stmt)]

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
        if node.func.id in _GUARDED_CALLS or (self.inline and node.func.id in METERED_CALLS):
            return ast.copy_location(_meter_call("call", [node.func, *node.args], node.keywords), node)
        if self.inline and node.func.id == "_getitem_" and len(node.args) == 2 and isinstance(node.args[1], ast.Slice):
            return ast.copy_location(_meter_call("getslice", node.args), node)  # x[a:b] copies: charged first
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
        settle: ClassVar[Settle | None] = None  # inline code: a mapping (maybe empty); worker code: None

        def visit(self, node: ast.AST) -> Any:
            """The sandbox policy's visit; then, once at the root and only if it found no error, the guards."""
            result = super().visit(node)
            if isinstance(node, ast.Module | ast.Expression) and not self.errors:
                guards = _OpGuards(self.settle)
                guards.visit(node)
                if guards.inline:
                    guards.settle_bodies(node)
                ast.fix_missing_locations(node)
            return result

    return GuardingPolicy


def default_policy() -> type[RestrictingNodeTransformer]:
    """The gridcase sandbox policy (imported late: sandbox.py will import this module)."""
    from engine.bpmn.sandbox import _GridcasePolicy

    return _GridcasePolicy


# Compiling costs about a microsecond per character, holding the GIL: a longer script would stall the process
# before any budget applies. The lifecycle's longest script has 2,000 characters.
MAX_SOURCE_CHARS = 100_000


def refuse(message: str) -> NoReturn:
    """Raise the sandbox's SandboxViolation (imported late: the sandbox imports this module)."""
    from engine.bpmn.sandbox import SandboxViolation

    raise SandboxViolation("Script refused by the sandbox: " + message)


def check_source_size(source: str) -> None:
    """Refuse code longer than :data:`MAX_SOURCE_CHARS`."""
    if len(source) > MAX_SOURCE_CHARS:
        refuse(f"it has {len(source):,} characters, more than {MAX_SOURCE_CHARS:,}; keep data in task data")


def parse_source(source: str, mode: Mode) -> ast.Module | ast.Expression:
    """Parse as ``compile_sandboxed`` does (same file names, so tracebacks name ``<string>`` lines)."""
    check_source_size(source)
    if mode == "eval":
        return ast.parse(source.strip(), "<expression>", "eval")
    return ast.parse(textwrap.dedent(source), "<string>", "exec")


def compile_guarded(source: str, mode: Mode, policy: Any) -> CodeType:
    """The code the evaluator runs for ``source``: the sandbox policy plus the guards; SyntaxError or
    SandboxViolation if refused (too long, too deeply nested, or against the policy)."""
    try:
        return compile_tree(parse_source(source, mode), mode, policy)
    except RecursionError:  # a chain like a+a+…+a thousands of terms long: parsing recurses per term
        refuse("it is nested too deeply to compile")


def compile_tree(tree: ast.Module | ast.Expression, mode: Mode, policy: Any, settle: Settle | None = None) -> CodeType:
    """Compile under the sandbox policy plus the guards (and, for inline plans, ``settle`` given: settle and
    tick calls, metered calls and slices); SyntaxError/SandboxViolation if refused."""
    guarded = _guarding_policy(policy)
    if settle is not None:
        guarded = type("SettlingPolicy", (guarded,), {"settle": MappingProxyType(dict(settle))})
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
