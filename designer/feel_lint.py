"""Lint the FEEL of DMN files: every decision's and business knowledge model's expressions — decision tables' input
expressions, input entries (unary tests), output entries, literal expressions, boxed contexts, lists, relations,
invocations, function definitions, DMN 1.4 boxes — for syntax errors and for names the requirements graph does
not make known (input data, required decisions and knowledge, imports, context entries, parameters, built-ins).

The model is read by ``dmn`` exactly as the rule engine reads it (``dmn.loads``); its expressions are parsed by
``feel``'s own parser. Every finding is a warning naming the decision (its id, for the designer to highlight) and
the cell: ``rule r3, input 2``, ``output entry``, ``context entry "Fee"``. A file ``dmn`` cannot read at all is
reported by the deploy check (designer.lint), not here.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from typing import Any

import dmn
from dmn import model as m
from feel import nodes as n
from feel.errors import FeelError
from feel.names import builtin_names
from feel.parser import parse_expression
from feel.parser_unary import parse_unary_tests

WARNING = "warning"
Finding = tuple[str | None, str, str]  # element id, severity, message
_ALWAYS = frozenset({"?", "item", "partial"})  # a unary test's input, a filter's item, a for's partial result


def dmn_feel_findings(sources: Mapping[str, str]) -> dict[str, list[Finding]]:
    """File name → FEEL findings for the ``.dmn`` files of ``sources`` (read together: they may import each other;
    when they do not read together, each is read alone). The same files are linted once (the city's 810-rule
    table takes about half a second, and every deploy lints)."""
    found = _findings(tuple(sorted((name, text) for name, text in sources.items() if name.endswith(".dmn"))))
    return {name: list(findings) for name, findings in found}


@functools.lru_cache(maxsize=32)
def _findings(files: tuple[tuple[str, str], ...]) -> tuple[tuple[str, tuple[Finding, ...]], ...]:
    sources = dict(files)
    names = [name for name, _ in files]
    found: dict[str, list[Finding]] = {name: [] for name in names}
    for name, graph, defs in _models(names, sources):
        for element in defs.elements.values():
            if isinstance(element, m.Decision | m.BusinessKnowledgeModel) and element.logic is not None:
                checker = _Checker(graph, defs, element)
                checker.walk(element.logic, checker.known, "")
                found[name] += checker.findings
    return tuple((name, tuple(findings)) for name, findings in found.items())


def _models(names: list[str], sources: Mapping[str, str]) -> Iterator[tuple[str, Any, m.Definitions]]:
    """(file name, the requirements graph, the file's definitions) of every file ``dmn`` reads."""
    try:
        model = dmn.loads(*(sources[name] for name in names))
    except Exception:  # one unreadable file: read the rest one by one (the deploy check reports it)
        for name in names:
            try:
                alone = dmn.loads(sources[name])
            except Exception:  # reported by the deploy check naming the file
                continue
            yield name, alone.graph, alone.definitions[0]
        return
    for name, defs in zip(names, model.definitions, strict=True):  # one definitions per document, in order
        yield name, model.graph, defs


class _Checker:
    """The FEEL findings of one decision or business knowledge model."""

    def __init__(self, graph: Any, defs: m.Definitions, element: m.Decision | m.BusinessKnowledgeModel) -> None:
        self.graph, self.defs, self.element = graph, defs, element
        self.kind = "decision" if isinstance(element, m.Decision) else "business knowledge model"
        self.findings: list[Finding] = []
        self.known = frozenset(builtin_names() | _ALWAYS | self._required())
        # A model without input data is one a business rule task calls: its decisions read the process's variables
        # (the task's data), which no model lists, so only their syntax is checked. A business knowledge model
        # sees its parameters and required knowledge only.
        self.check_names = isinstance(element, m.BusinessKnowledgeModel) or any(
            isinstance(other, m.InputData) for other in defs.elements.values())

    def _required(self) -> set[str]:
        """Names the requirements graph brings into scope: required input data, decisions and knowledge, the
        imports' names (``Import.Decision``), and the element's own name (a BKM may call itself)."""
        refs = [*getattr(self.element, "required_inputs", ()), *getattr(self.element, "required_decisions", ()),
                *self.element.required_knowledge]
        names = {self.element.name, *(imported.name for imported in self.defs.imports if imported.name)}
        for ref in refs:
            try:
                names.add(self.graph.resolve(self.defs, ref)[1].name)
            except Exception:  # a dangling reference refuses the decision when it runs
                continue
        return names

    def note(self, where: str, message: str) -> None:
        cell = f", {where}" if where else ""
        self.findings.append((self.element.element_id, WARNING,
                              f"{self.kind} {self.element.name!r}{cell}: {message}"))

    def expression(self, text: str | None, known: frozenset[str], where: str, *, tests: bool = False,
                   check_names: bool = True) -> None:
        """Parse one FEEL text (``tests``: unary tests) and report its syntax error or (``check_names``) its unknown
        names."""
        if text is None or not text.strip() or (tests and text.strip() == "-"):
            return
        names = self.graph.names | known
        try:
            tree: Any = parse_unary_tests(text, names) if tests else parse_expression(text, names)
        except FeelError as err:
            self.note(where, f"FEEL syntax error in {text.strip()[:60]!r}: {err}")
            return
        except RecursionError:
            self.note(where, f"FEEL nested too deeply: {text.strip()[:60]!r}")
            return
        unknown = sorted(free_names(tree, known)) if check_names and self.check_names else []
        if unknown:
            listed = ", ".join(repr(name) for name in unknown)
            self.note(where, f"{listed} {'is' if len(unknown) == 1 else 'are'} not known here (not an input data, "
                             "required decision or knowledge, context entry, parameter or built-in): "
                             f"{text.strip()[:60]!r}")

    def walk(self, expr: m.Expr, known: frozenset[str], where: str) -> None:
        """Check every FEEL text of the boxed expression ``expr`` with ``known`` in scope."""
        if isinstance(expr, m.Literal):
            self.expression(expr.text, known, where or "literal expression")
        elif isinstance(expr, m.DecisionTable):
            self.table(expr, known)
        elif isinstance(expr, m.Context):
            scope = set(known)
            for entry in expr.entries:
                label = f"context entry {entry.name!r}" if entry.name else "context result"
                self.walk(entry.value, frozenset(scope), _join(where, label))
                scope |= {entry.name} if entry.name else set()
        elif isinstance(expr, m.FunctionDefinition):
            if expr.body is not None and expr.kind == "FEEL":
                params = frozenset(p.name for p in expr.parameters)
                self.walk(expr.body, known | params, _join(where, "function body"))
        elif isinstance(expr, m.Invocation):
            self._invocation(expr, known, where)
        else:
            self._other(expr, known, where)

    def _invocation(self, expr: m.Invocation, known: frozenset[str], where: str) -> None:
        if expr.callee.split(".")[0] not in known and expr.callee not in known:
            self.note(_join(where, "invocation"), f"{expr.callee!r} is not a required business knowledge model")
        for binding in expr.bindings:
            if binding.value is not None:
                self.walk(binding.value, known, _join(where, f"binding {binding.name!r}"))

    def _other(self, expr: m.Expr, known: frozenset[str], where: str) -> None:
        if isinstance(expr, m.ListExpr):
            for index, item in enumerate(expr.items, 1):
                self.walk(item, known, _join(where, f"list item {index}"))
        elif isinstance(expr, m.Relation):
            for row_index, row in enumerate(expr.rows, 1):
                for column, cell in zip(expr.columns, row, strict=False):
                    self.walk(cell, known, _join(where, f"row {row_index}, column {column!r}"))
        else:
            self._box_1_4(expr, known, where)

    def _box_1_4(self, expr: m.Expr, known: frozenset[str], where: str) -> None:
        """DMN 1.4's conditional, filter and iterator boxes."""
        if isinstance(expr, m.Conditional):
            for label, part in (("if", expr.condition), ("then", expr.then), ("else", expr.otherwise)):
                self.walk(part, known, _join(where, label))
        elif isinstance(expr, m.Filter):
            self.walk(expr.source, known, _join(where, "filter source"))
            if isinstance(expr.match, m.Literal):  # its names may be the items' components: syntax only
                self.expression(expr.match.text, known, _join(where, "filter match"), check_names=False)
        elif isinstance(expr, m.Iteration):
            self.walk(expr.source, known, _join(where, f"{expr.kind} source"))
            self.walk(expr.body, known | {expr.variable}, _join(where, f"{expr.kind} body"))

    def table(self, table: m.DecisionTable, known: frozenset[str]) -> None:
        """Input expressions, input values, each rule's input entries (unary tests) and output entries."""
        for index, column in enumerate(table.inputs, 1):
            self.expression(column.expression, known, f"input {index} expression")
            self.expression(column.values, known, f"input {index} values", tests=True)
        for output in table.outputs:
            label = f"output {output.name!r}" if output.name else "output"
            self.expression(output.values, known, f"{label} values", tests=True)
            self.expression(output.default, known, f"{label} default")
        for rule in table.rules:
            for index, text in enumerate(rule.inputs, 1):
                self.expression(text, known, f"rule {rule.rule_id}, input {index}", tests=True)
            for index, text in enumerate(rule.outputs, 1):
                self.expression(text, known, f"rule {rule.rule_id}, output {index}")


def _join(where: str, label: str) -> str:
    return f"{where}, {label}" if where else label


def free_names(node: Any, bound: frozenset[str]) -> set[str]:
    """The names ``node`` (a FEEL AST, or unary tests) reads that are not in ``bound`` nor bound inside it."""
    if isinstance(node, n.Name):
        return set() if node.name in bound else {node.name}
    if isinstance(node, n.Path | n.Descendants | n.Filter):  # a filter's condition may read the items' components
        return free_names(node.base, bound)
    if isinstance(node, n.For | n.Quantified | n.FunctionDefinition | n.ContextNode):
        return _binding(node, bound)
    if isinstance(node, n.Call) and node.named is not None:
        return free_names(node.callee, bound).union(*(free_names(v, bound) for _, v in node.named))
    if isinstance(node, tuple | list):
        return set().union(*(free_names(item, bound) for item in node))
    if dataclasses.is_dataclass(node) and not isinstance(node, type | n.TypeRef):
        return set().union(*(free_names(getattr(node, f.name), bound) for f in dataclasses.fields(node)))
    return set()


def _binding(node: n.For | n.Quantified | n.FunctionDefinition | n.ContextNode, bound: frozenset[str]) -> set[str]:
    """Free names of the constructs that bind names: iterations, parameters, context entries (seen by later ones)."""
    if isinstance(node, n.FunctionDefinition):
        return free_names(node.body, bound | set(node.params))
    found: set[str] = set()
    if isinstance(node, n.ContextNode):
        for key, value in node.entries:
            found |= free_names(value, bound)
            bound = bound | {key}
        return found
    for iteration in node.iterations:
        found |= free_names(iteration.domain, bound) | free_names(iteration.end, bound)
        bound = bound | {iteration.name}
    body = node.body if isinstance(node, n.For) else node.condition
    return found | free_names(body, bound)
