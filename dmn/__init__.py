"""DMN 1.1–1.5 decision models: XML files read into a model and evaluated with gridcase's own FEEL (``feel``).

    model = dmn.load(Path("rules/lending"))          # a file, or a folder of files importing each other
    result = model.evaluate("Eligibility", {"Applicant": {"Age": 35, "Monthly Income": 4000}})
    result.value, result.messages                    # a FEEL value (Decimal numbers…), what went wrong

Every decision kind runs: decision tables (all hit policies), literal expressions, contexts, invocations,
lists, relations, function definitions, DMN 1.4's conditional/filter/iterators; business knowledge models and
decision services are FEEL functions. A construct gridcase cannot evaluate refuses its own decision (null and
a message naming it and the reason); the rest of the model runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import feel
from dmn import model as m
from dmn.drg import Graph, Result, run_bkm, run_decision
from dmn.errors import DmnError
from dmn.imports import with_imports
from dmn.reader import dmn_files, read_bytes, read_file, read_folder
from dmn.services import run_service, service_parameters

__all__ = ["DmnError", "Model", "Result", "load", "loads"]

DEFAULT_CPU_SECONDS = 10.0  # one evaluation's CPU time before FeelBudgetExceeded ends it
_SIMPLE_NAME = re.compile(r"[^\W\d]\w*")


class Model:
    """Loaded DMN definitions (one file or several importing each other), ready to evaluate."""

    def __init__(self, definitions: list[m.Definitions]) -> None:
        self.definitions = definitions
        self.graph = Graph(definitions, _names(definitions))

    def find(self, id_or_name: str, kind: type, model: str | None = None) -> tuple[m.Definitions, Any]:
        """The element of type ``kind`` with this id or name (in the model named ``model``, if given; otherwise
        the first file that has one); DmnError when there is none."""
        for defs in self.definitions:
            if model and model not in {defs.name, defs.namespace, Path(defs.path).name}:
                continue
            element = defs.find(id_or_name)
            if isinstance(element, kind):
                return defs, element
        raise DmnError(f"no {kind.__name__} with id or name {id_or_name!r}", element_id=id_or_name)

    def evaluate(self, decision: str, inputs: Mapping[str, Any], *, model: str | None = None,
                 cpu_seconds: float | None = DEFAULT_CPU_SECONDS, context: Mapping[str, Any] | None = None) -> Result:
        """Evaluate a decision (by id or name) and what it requires from ``inputs`` (input data by name; Python
        or FEEL values). ``context``: names every decision's expressions may read without requiring them (a
        process's variables). FeelBudgetExceeded when it runs longer than ``cpu_seconds``."""
        defs, element = self.find(decision, m.Decision, model)
        with feel.budget.limit(cpu_seconds=cpu_seconds):
            return run_decision(self.graph, defs, element, inputs, context)

    def evaluate_service(self, service: str, inputs: Mapping[str, Any], *, model: str | None = None,
                         cpu_seconds: float | None = DEFAULT_CPU_SECONDS) -> Result:
        """Evaluate a decision service (by id or name): ``inputs`` are its input decisions and input data by name."""
        defs, element = self.find(service, m.DecisionService, model)
        with feel.budget.limit(cpu_seconds=cpu_seconds):
            return run_service(self.graph, defs, element, inputs)

    def evaluate_bkm(self, bkm: str, inputs: Mapping[str, Any], *, model: str | None = None,
                     cpu_seconds: float | None = DEFAULT_CPU_SECONDS) -> Result:
        """Invoke a business knowledge model (by id or name) with ``inputs`` as its arguments by parameter name."""
        defs, element = self.find(bkm, m.BusinessKnowledgeModel, model)
        with feel.budget.limit(cpu_seconds=cpu_seconds):
            return run_bkm(self.graph, defs, element, inputs)

    def service_parameters(self, service: str, *, model: str | None = None) -> tuple[str, ...]:
        """A decision service's parameter names (input decisions, then input data)."""
        defs, element = self.find(service, m.DecisionService, model)
        return service_parameters(self.graph, defs, element)

    def input_type(self, name: str, *, model: str | None = None) -> Any:
        """The shape of an input data's (or decision's) declared type, for callers that read untyped text (the
        TCK runner): a built-in kind ("number", "date"…), a dict of component shapes for a structure, a one-item
        list for a collection, or None for Any/unknown."""
        for kind in (m.InputData, m.Decision):  # the kit also gives decisions' values as inputs
            try:
                defs, element = self.find(name, kind, model)
            except DmnError:
                continue
            return self.graph.conformance(defs).shape(element.type_ref)
        return None


def load(paths: Sequence[Path | str] | Path | str, *, main: str | None = None) -> Model:
    """Load DMN files (a folder: every ``*.dmn`` in it); imports are resolved by namespace among them.

    ``main`` (a file name among them) keeps that model and what it imports, directly or not: a folder may hold
    several models of the same namespace, told apart by the imports' locationURI. Then only the main file must
    read: another file that cannot be read is left out (a reference into it refuses its decision)."""
    given = [Path(paths)] if isinstance(paths, Path | str) else [Path(path) for path in paths]
    if main is None:
        return Model(read_folder(given))
    files = dmn_files(given)
    mains = sorted((path for path in files if path.name == main), key=lambda path: len(path.parts))
    if not mains:
        raise DmnError(f"no model file named {main!r} among those loaded", file=main)
    definitions = [read_file(mains[0])]
    for path in files:
        if path != mains[0]:
            try:
                definitions.append(read_file(path))
            except DmnError:
                continue
    return Model(with_imports(definitions))


def loads(*documents: str | bytes) -> Model:
    """A model from DMN documents given as text (tests, the designer's rule panel)."""
    return Model([read_bytes(doc.encode() if isinstance(doc, str) else doc, f"<document {index + 1}>")
                  for index, doc in enumerate(documents)])


def _names(definitions: list[m.Definitions]) -> frozenset[str]:
    """Every name in the models FEEL must read as one name although it has spaces or symbols."""
    found: set[str] = set()
    for defs in definitions:
        found.update(imported.name for imported in defs.imports)
        for item in defs.item_definitions.values():
            _item_names(item, found)
        for element in defs.elements.values():
            found.add(element.name)
            logic = getattr(element, "logic", None)
            if logic is not None:
                _expr_names(logic, found)
    # a dotted name ("Person.Gender", as some modelers name parameters) is read as a path instead
    return frozenset(name for name in found if name and "." not in name and not _SIMPLE_NAME.fullmatch(name))


def _item_names(item: m.ItemDefinition, found: set[str]) -> None:
    found.add(item.name)
    for component in item.components:
        _item_names(component, found)


def _own_names(expr: m.Expr) -> list[str | None]:
    if isinstance(expr, m.Context):
        return [entry.name for entry in expr.entries]
    if isinstance(expr, m.FunctionDefinition):
        return [parameter.name for parameter in expr.parameters]
    if isinstance(expr, m.Relation):
        return list(expr.columns)
    if isinstance(expr, m.DecisionTable):
        return [output.name for output in expr.outputs]
    if isinstance(expr, m.Iteration):
        return [expr.variable]
    if isinstance(expr, m.Invocation):
        return [binding.name for binding in expr.bindings]
    return []


def _inner(value: Any) -> list[m.Expr]:
    """The boxed expressions directly inside a field of a boxed expression."""
    if isinstance(value, m.Expr):
        return [value]
    if isinstance(value, m.ContextEntry | m.Binding):
        return [] if value.value is None else [value.value]
    if isinstance(value, tuple):
        return [inner for item in value for inner in _inner(item)]
    return []


def _expr_names(expr: m.Expr, found: set[str]) -> None:
    found.update(name for name in _own_names(expr) if name)
    for value in vars(expr).values():
        for inner in _inner(value):
            _expr_names(inner, found)
