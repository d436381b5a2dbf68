"""The decision requirements graph evaluated: a decision's required decisions first (each once per
evaluation), input data converted to their declared types, business knowledge models and decision services as
FEEL functions, imported models' elements under their import's name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dmn import model as m
from dmn.boxed_eval import Refused, call, typed_function
from dmn.errors import DmnError
from dmn.graph import Graph
from dmn.notes import collecting, matching, note
from dmn.types import BUILTIN_TYPES
from feel import values

_IN_PROGRESS = object()


@dataclass
class Result:
    """A decision's (or service's) value — a FEEL value — and the messages of its evaluation."""

    value: Any
    messages: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)  # a decision service's output decisions by name
    matched_rules: list[str] = field(default_factory=list)  # ids of the rules its decision table(s) matched

    def to_python(self) -> Any:
        """The value as plain Python (ints, Decimals, datetime types)."""
        return values.to_python(self.value)

    def to_json(self) -> Any:
        """The value ready for JSON."""
        return values.to_json(self.value)


Path = tuple[str, ...]  # the import names leading from the evaluated model to an element ("i", "i")
Key = tuple[Path, int, str]  # import path, model key, element id


class Run:
    """One evaluation: the inputs given, the decisions evaluated so far (each once per import path)."""

    def __init__(self, graph: Graph, inputs: Mapping[str, Any], preset: dict[Key, Any] | None = None,
                 context: Mapping[str, Any] | None = None) -> None:
        self.graph = graph
        self.inputs = {str(key): values.from_python(value) for key, value in inputs.items()}
        self.done: dict[Key, Any] = dict(preset or {})
        # names every decision's logic sees besides what it requires (a process's variables, as Camunda
        # evaluates decisions whose expressions name them without input data); a requirement of that name wins
        self.context = {str(key): values.from_python(value) for key, value in (context or {}).items()}
        self.matched: dict[Key, list[str]] = {}

    def scope(self, defs: m.Definitions, element: m.Decision | m.BusinessKnowledgeModel,
              path: Path = ()) -> dict[str, Any]:
        """The names the element's logic sees: what it requires, by name (imported ones under their import)."""
        scope: dict[str, Any] = dict(self.context)
        if isinstance(element, m.Decision):
            for ref in element.required_inputs:
                self._place(scope, defs, ref, self.input_value, path)
            for ref in element.required_decisions:
                self._place(scope, defs, ref, self.decision_value, path)
        for ref in element.required_knowledge:
            self._place(scope, defs, ref, self.knowledge, path)
        return scope

    def _place(self, scope: dict[str, Any], defs: m.Definitions, ref: m.Reference, get: Any, path: Path) -> None:
        target, element = self.graph.resolve(defs, ref)
        qualifier = self.graph.qualifier(defs, target)
        value = get(target, element, (*path, qualifier) if qualifier else path)
        if qualifier:
            inner = scope.setdefault(qualifier, {})
            if isinstance(inner, dict):
                inner[element.name] = value
        else:
            scope[element.name] = value

    def _given(self, element: m.Element, path: Path) -> Any:
        # an imported model's input data is given qualified by the import path ("i.i.Income"), or nested
        # ({"i": {"i": {"Income": …}}}); unqualified names are accepted when no qualified value is given
        if path:
            qualified = self.inputs.get(".".join((*path, element.name)))
            if qualified is not None:
                return qualified
            nested: Any = self.inputs
            for part in path:
                nested = nested.get(part) if isinstance(nested, dict) else None
            if isinstance(nested, dict) and nested.get(element.name) is not None:
                return nested[element.name]
        return self.inputs.get(element.name, self.inputs.get(element.element_id))

    def input_value(self, defs: m.Definitions, element: m.Element, path: Path = ()) -> Any:
        """An input data's value as given, converted to its declared type (null and a message if it is not)."""
        key = (path, self.graph.key(defs), element.element_id)
        if key in self.done:
            return self.done[key]
        type_ref = element.type_ref if isinstance(element, m.InputData) else None
        value, error = self.graph.conformance(defs).coerce(self._given(element, path), type_ref, from_input=True)
        if error:
            note(f"input data {element.name!r}: {error}")
        self.done[key] = value
        return value

    def decision_value(self, defs: m.Definitions, element: m.Element, path: Path = ()) -> Any:
        """A decision's value (evaluated once per run; null with a message when refused or failing)."""
        key = (path, self.graph.key(defs), element.element_id)
        if key in self.done:
            if self.done[key] is _IN_PROGRESS:
                note(f"decision {element.name!r} requires itself")
                return None
            return self.done[key]
        if not isinstance(element, m.Decision):
            return self.input_value(defs, element, path)
        if not path and element.name in self.inputs:
            # a decision's value given with the inputs is taken as already decided (the kit's pre-evaluated
            # decisions; a caller re-running part of a graph)
            value, error = self.graph.conformance(defs).coerce(self.inputs[element.name], element.type_ref,
                                                               from_input=True)
            if error:
                note(f"decision {element.name!r}: {error}")
            self.done[key] = value
            return value
        self.done[key] = _IN_PROGRESS
        try:
            logic = self.graph.logic(defs, element)
        except Refused as exc:
            note(f"decision {element.name!r} ({element.element_id}) is refused: {exc}")
            self.done[key] = None
            return None
        try:
            scope = self.scope(defs, element, path)
        except DmnError as exc:  # a requirement pointing to nothing loaded refuses this decision only
            note(f"decision {element.name!r} ({element.element_id}) is refused: {exc.reason}")
            self.done[key] = None
            return None
        with matching() as rules:
            value = logic(scope)
        self.matched[key] = rules
        value, error = self.graph.conformance(defs).coerce(value, _result_type(element))
        if error:
            note(f"decision {element.name!r}: {error}")
        self.done[key] = value
        return value

    def knowledge(self, defs: m.Definitions, element: m.Element, path: Path = ()) -> Any:
        """A business knowledge model or decision service as a FEEL function."""
        if isinstance(element, m.DecisionService):
            from dmn.services import service_function  # services evaluate with Run: imported when first needed

            return service_function(self.graph, defs, element)
        if not isinstance(element, m.BusinessKnowledgeModel):
            return None
        try:
            logic = self.graph.logic(defs, element)
        except Refused as exc:
            note(f"business knowledge model {element.name!r} ({element.element_id}) is refused: {exc}")
            return None
        try:
            function = logic(self.scope(defs, element, path))
        except DmnError as exc:
            note(f"business knowledge model {element.name!r} ({element.element_id}) is refused: {exc.reason}")
            return None
        if not isinstance(function, values.FeelFunction):
            return function
        conformance = self.graph.conformance(defs)
        signature = conformance.function_type(element.type_ref)
        if signature is not None:
            return typed_function(function, signature, conformance, element.name)
        return values.FeelFunction(function.params, function.call, element.name)


def _result_type(decision: m.Decision) -> str | None:
    # A table with several outputs gives a context typed column by column; exporters often still write the
    # first column's built-in type on the decision (typeRef="string"), which is not meant for the context
    logic = decision.logic
    if (isinstance(logic, m.DecisionTable) and len(logic.outputs) > 1
            and (decision.type_ref or "") in BUILTIN_TYPES and decision.type_ref not in {"context", "Any"}):
        return None
    return decision.type_ref


def run_decision(graph: Graph, defs: m.Definitions, decision: m.Decision, inputs: Mapping[str, Any],
                 context: Mapping[str, Any] | None = None) -> Result:
    """Evaluate one decision with its requirements; the result keeps the messages and the rules it matched."""
    with collecting() as notes:
        run = Run(graph, inputs, context=context)
        value = run.decision_value(defs, decision)
    return Result(value, list(notes), matched_rules=run.matched.get(((), graph.key(defs), decision.element_id), []))


def run_bkm(graph: Graph, defs: m.Definitions, bkm: m.BusinessKnowledgeModel, inputs: Mapping[str, Any]) -> Result:
    """Invoke one business knowledge model with its arguments by parameter name."""
    with collecting() as notes:
        run = Run(graph, inputs)
        function = run.knowledge(defs, bkm)
        if isinstance(function, values.FeelFunction):
            value = call(function, [run.inputs.get(name) for name in function.params])
        else:
            value = None
    return Result(value, list(notes))
