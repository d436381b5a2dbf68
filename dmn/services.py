"""Decision services (DMN 1.5 §10.4): evaluated directly with their input decisions and input data given, or
invoked as FEEL functions by the decisions that require them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import feel
from dmn import model as m
from dmn.boxed_eval import typed_function
from dmn.drg import Graph, Key, Result, Run
from dmn.errors import DmnError
from dmn.notes import collecting, note
from feel import values


def evaluate_service(graph: Graph, defs: m.Definitions, service: m.DecisionService,
                     inputs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A decision service's value and its output decisions' values (see ``_evaluate``); null, with a message,
    when one of its references points to nothing loaded."""
    try:
        return _evaluate(graph, defs, service, inputs)
    except DmnError as exc:
        note(f"decision service {service.name!r} ({service.element_id}) is refused: {exc.reason}")
        return None, {}


def _evaluate(graph: Graph, defs: m.Definitions, service: m.DecisionService,
              inputs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A decision service's value — its output decisions' (one: its value; more: a context by name) — and each
    output decision's value, computed from the input decisions' and input data's values given in ``inputs``
    (by name) in a run of their own: what the service is given never leaks into the caller's decisions."""
    given = {str(key): values.from_python(value) for key, value in inputs.items()}
    preset: dict[Key, Any] = {}
    refused = False
    signature = graph.conformance(defs).function_type(service.type_ref)
    declared = {} if signature is None else {p.name: p.type_ref for p in signature.function_parameters}
    for ref in (*service.input_data, *service.input_decisions):
        target, element = graph.resolve(defs, ref)
        name = seen_name(graph, defs, target, element)
        type_ref = element.type_ref if isinstance(element, m.Decision | m.InputData) else None
        type_ref = declared.get(name) or type_ref  # the service's function type may type its parameters
        value, error = graph.conformance(target).coerce(given.get(name, given.get(element.name)), type_ref,
                                                        from_input=True)
        if error:
            # an argument that does not conform makes the invocation null (DMN 1.5 §10.3.2.13)
            note(f"decision service {service.name!r}: {element.name!r}: {error}")
            refused = True
        preset[((), graph.key(target), element.element_id)] = value
    if refused:
        return None, {}
    run = Run(graph, given, preset)
    outputs = {}
    for ref in service.outputs:
        target, element = graph.resolve(defs, ref)
        outputs[seen_name(graph, defs, target, element)] = run.decision_value(target, element)
    result: Any = next(iter(outputs.values())) if len(outputs) == 1 else outputs
    if signature is not None and signature.function_output:
        result, error = graph.conformance(defs).coerce(result, signature.function_output)
        if error:
            note(f"decision service {service.name!r}: {error}")
    return result, outputs


def service_parameters(graph: Graph, defs: m.Definitions, service: m.DecisionService) -> tuple[str, ...]:
    """A decision service's parameters as a function: its input data, then its input decisions (the order the
    kit's and other engines' invocations use)."""
    return tuple(seen_name(graph, defs, *graph.resolve(defs, ref))
                 for ref in (*service.input_data, *service.input_decisions))


def seen_name(graph: Graph, defs: m.Definitions, target: m.Definitions, element: m.Element) -> str:
    """The name the service's model sees an element under: qualified by its import's name when imported
    ("i.decision_003"), as a decision's requirements see it."""
    qualifier = graph.qualifier(defs, target)
    return f"{qualifier}.{element.name}" if qualifier else element.name


def service_function(graph: Graph, defs: m.Definitions, service: m.DecisionService) -> values.FeelFunction | None:
    """A decision service invokable as a FEEL function (None, with a message, when it cannot be built)."""
    try:
        params = service_parameters(graph, defs, service)
    except DmnError as exc:
        note(f"decision service {service.name!r} ({service.element_id}) is refused: {exc.reason}")
        return None

    def invoke(args: list[Any]) -> Any:
        if len(args) > len(params):
            note(f"decision service {service.name!r} takes {len(params)} arguments, not {len(args)}")
            return None
        with feel.budget.call_level():
            return evaluate_service(graph, defs, service, dict(zip(params, args, strict=False)))[0]

    function = values.FeelFunction(params, invoke, service.name)
    signature = graph.conformance(defs).function_type(service.type_ref)
    if signature is not None and signature.function_parameters:
        return typed_function(function, signature, graph.conformance(defs), service.name)
    return function


def run_service(graph: Graph, defs: m.Definitions, service: m.DecisionService, inputs: Mapping[str, Any]) -> Result:
    """Evaluate one decision service; the result keeps the messages and each output decision's value."""
    with collecting() as notes:
        value, outputs = evaluate_service(graph, defs, service, inputs)
    return Result(value, list(notes), outputs)
