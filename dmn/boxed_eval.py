"""Boxed expressions compiled to closures over a scope (a dict of FEEL values): literal expressions and
decision tables through ``feel``, the other boxed kinds here. Compiling refuses (``Refused``) what gridcase
cannot evaluate, so the caller can refuse that decision alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import feel
from dmn import instances
from dmn import model as m
from dmn.notes import note
from dmn.tables import CompiledTable, TableRefused
from dmn.types import Conformance
from feel import budget, values

Scope = dict[str, Any]
Evaluator = Callable[[Scope], Any]


class Refused(ValueError):
    """An expression gridcase cannot evaluate; the message says which and why."""


class BoxedCompiler:
    """Compiles boxed expressions of one model (its multi-word names and its types)."""

    def __init__(self, names: frozenset[str], conformance: Conformance) -> None:
        self.names = names
        self.conformance = conformance

    def compile(self, expr: m.Expr) -> Evaluator:
        """The closure evaluating ``expr``; Refused when it cannot be evaluated."""
        method = getattr(self, f"_{type(expr).__name__.lower()}", None)
        if method is None:
            raise Refused(f"{type(expr).__name__} expressions are not supported")
        evaluator: Evaluator = method(expr)
        if isinstance(expr, m.FunctionDefinition | m.Unsupported):
            return evaluator  # a function definition's typeRef types its result, inside
        return self.typed(evaluator, expr.type_ref, _KINDS.get(type(expr).__name__, "expression"))

    def feel(self, text: str) -> feel.Compiled:
        """A compiled FEEL expression; Refused naming the text on a syntax error."""
        try:
            return feel.compile_expression(text, names=self.names)
        except feel.FeelError as exc:
            raise Refused(f"FEEL syntax error: {exc}") from exc

    def typed(self, evaluator: Evaluator, ref: str | None, what: str) -> Evaluator:
        """``evaluator`` whose result is made to conform to ``ref`` (null with a note when it does not)."""
        if ref is None:
            return evaluator
        conformance = self.conformance

        signature = conformance.function_type(ref)

        def run(scope: Scope) -> Any:
            value, error = conformance.coerce(evaluator(scope), ref)
            if error:
                note(f"{what}: {error}")
            if signature is not None and isinstance(value, values.FeelFunction):
                return typed_function(value, signature, conformance, value.name)
            return value

        return run

    def _unsupported(self, expr: m.Unsupported) -> Evaluator:
        raise Refused(expr.reason)

    def _literal(self, expr: m.Literal) -> Evaluator:
        if not expr.text.strip():
            return lambda scope: None
        compiled = self.feel(expr.text)
        conformance = self.conformance

        def run(scope: Scope) -> Any:
            # ``x instance of tName`` and parameters typed ``function(a: tName)`` name item definitions
            with instances.resolving(conformance):
                return compiled.evaluate(scope)

        return run

    def _decisiontable(self, expr: m.DecisionTable) -> Evaluator:
        try:
            table = CompiledTable(expr, self.names, self.conformance.coerce)
        except TableRefused as exc:
            raise Refused(f"decision table: {exc}") from exc
        return table

    def _context(self, expr: m.Context) -> Evaluator:
        entries = [(entry.name, self.typed(self.compile(entry.value), entry.type_ref, f"context entry {entry.name!r}"))
                   for entry in expr.entries]

        def run(scope: Scope) -> Any:
            local = dict(scope)  # later entries (and functions defined here) see the earlier ones
            result: dict[str, Any] = {}
            for name, evaluator in entries:
                value = evaluator(local)
                if name is None:
                    return value
                local[name] = value
                result[name] = value
            return result

        return run

    def _invocation(self, expr: m.Invocation) -> Evaluator:
        callee = self.feel(expr.callee)
        bindings = [(binding.name, None if binding.value is None
                     else self.typed(self.compile(binding.value), binding.type_ref, f"binding {binding.name!r}"))
                    for binding in expr.bindings]

        def run(scope: Scope) -> Any:
            function = callee.evaluate(scope)
            if not isinstance(function, values.FeelFunction):
                note(f"invocation: {expr.callee!r} is not a function")
                return None
            given = {name: None if evaluator is None else evaluator(scope) for name, evaluator in bindings}
            unknown = [name for name in given if name not in function.params]
            if unknown:
                note(f"invocation of {expr.callee!r}: no parameter {', '.join(unknown)}")
                return None
            return call(function, [given.get(name) for name in function.params])

        return run

    def _listexpr(self, expr: m.ListExpr) -> Evaluator:
        items = [self.compile(item) for item in expr.items]
        return lambda scope: [item(scope) for item in items]

    def _relation(self, expr: m.Relation) -> Evaluator:
        types = expr.column_types or (None,) * len(expr.columns)
        rows = [[self.typed(self.compile(cell), ref, f"relation column {name!r}")
                 for cell, name, ref in zip(row, expr.columns, types, strict=True)] for row in expr.rows]
        columns = expr.columns
        return lambda scope: [{name: cell(scope) for name, cell in zip(columns, row, strict=True)} for row in rows]

    def _functiondefinition(self, expr: m.FunctionDefinition) -> Evaluator:
        if expr.kind != "FEEL":
            raise Refused(f"{expr.kind} functions are not supported (only FEEL)")
        body = (lambda scope: None) if expr.body is None else self.compile(expr.body)
        # the typeRef is the result's type, or a function item definition typing parameters and result
        signature = self.conformance.function_type(expr.type_ref)
        result_type = expr.type_ref if signature is None else signature.function_output
        body = self.typed(body, result_type, "function result")
        parameters = expr.parameters
        if signature is not None:
            declared = {parameter.name: parameter.type_ref for parameter in signature.function_parameters}
            parameters = tuple(m.Parameter(p.name, p.type_ref or declared.get(p.name)) for p in expr.parameters)
        return lambda scope: self.function(parameters, body, scope, "function")

    def function(self, parameters: tuple[m.Parameter, ...], body: Evaluator, scope: Scope,
                 name: str) -> values.FeelFunction:
        """A FEEL function value running ``body`` in ``scope`` plus its parameters (typed as declared)."""
        conformance = self.conformance

        def invoke(args: list[Any]) -> Any:
            if len(args) > len(parameters):
                note(f"{name} takes {len(parameters)} arguments, not {len(args)}")
                return None
            local = dict(scope)
            for parameter, arg in zip(parameters, args + [None] * (len(parameters) - len(args)), strict=False):
                value, error = conformance.coerce(arg, parameter.type_ref)
                if error:  # an argument that does not conform binds null, and the body runs (§10.3.2.9.4)
                    note(f"{name}: parameter {parameter.name!r}: {error}")
                local[parameter.name] = value
                if "." in parameter.name:
                    _nest(local, parameter.name, value)
            with budget.call_level():
                return body(local)

        return values.FeelFunction(tuple(parameter.name for parameter in parameters), invoke, name)

    def _conditional(self, expr: m.Conditional) -> Evaluator:
        condition, then, otherwise = self.compile(expr.condition), self.compile(expr.then), self.compile(expr.otherwise)
        return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)

    def _filter(self, expr: m.Filter) -> Evaluator:
        source, match = self.compile(expr.source), self.compile(expr.match)

        def run(scope: Scope) -> Any:
            items = source(scope)
            if not isinstance(items, list):
                items = [items]
            kept = []
            for item in items:
                local = dict(scope, **item) if isinstance(item, dict) else dict(scope)
                local["item"] = item
                if match(local) is True:
                    kept.append(item)
            return kept

        return run

    def _iteration(self, expr: m.Iteration) -> Evaluator:
        source, body = self.compile(expr.source), self.compile(expr.body)

        def run(scope: Scope) -> Any:
            items = source(scope)
            results = [body(dict(scope, **{expr.variable: item})) for item in (items if isinstance(items, list)
                                                                                 else [items])]
            if expr.kind == "for":
                return results
            if expr.kind == "some":
                return any(result is True for result in results)
            return all(result is True for result in results)

        return run


_KINDS = {"Literal": "literal expression", "DecisionTable": "decision table", "Context": "context",
          "Invocation": "invocation", "ListExpr": "list", "Relation": "relation", "Conditional": "conditional",
          "Filter": "filter", "Iteration": "iteration"}


def typed_function(function: values.FeelFunction, signature: m.ItemDefinition, conformance: Conformance,
                   name: str) -> values.FeelFunction:
    """``function`` whose arguments and result are made to conform to a function item definition's types."""
    parameter_types = [parameter.type_ref for parameter in signature.function_parameters]

    def invoke(args: list[Any]) -> Any:
        checked = []
        for index, arg in enumerate(args):
            ref = parameter_types[index] if index < len(parameter_types) else None
            value, error = conformance.coerce(arg, ref)
            if error:
                note(f"{name}: argument {index + 1}: {error}")
                return None
            checked.append(value)
        value, error = conformance.coerce(call(function, checked), signature.function_output)
        if error:
            note(f"{name}: result: {error}")
        return value

    return values.FeelFunction(function.params, invoke, name)


def _nest(scope: Scope, dotted: str, value: Any) -> None:
    # some modelers name parameters after the path they bind ("Person.Gender"); a FEEL name cannot hold a dot,
    # so the body reads them as paths: bind the value there too
    head, *middle, last = dotted.split(".")
    outer = scope.get(head)
    target = scope[head] = dict(outer) if isinstance(outer, dict) else {}  # a copy: the caller's value stays
    for part in middle:
        inner = target.get(part)
        target[part] = dict(inner) if isinstance(inner, dict) else {}
        target = target[part]
    target[last] = value


def call(function: values.FeelFunction, args: list[Any]) -> Any:
    """Call a FEEL function as FEEL does: a failing call is null (budget overruns still end the evaluation)."""
    try:
        return function.call(args)
    except feel.FeelBudgetExceeded:
        raise
    except (ValueError, TypeError, ArithmeticError) as exc:
        note(f"{function.name}: {exc}")
        return None
