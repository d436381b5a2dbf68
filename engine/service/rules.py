"""Evaluate a DMN decision on given inputs (the designer's test panel and `gridcase rules eval` share it).

Any decision kind or decision service runs (``dmn``, full FEEL). Imports nothing of the web or database stack.
"""

from __future__ import annotations

from typing import Any

import dmn
import feel
from dmn import model as m
from engine.domain.decisions import case_data, decisions_of, load_model, wrap_outputs
from engine.domain.errors import InvalidCommand

DEFAULT_CPU_SECONDS = 1.0  # the scripts' default budget (GRIDCASE_SCRIPT_CPU_SECONDS)
# What a model's FEEL can raise on hostile input: bad values, arithmetic beyond the date and number types'
# range, expressions or inputs nested too deeply for the parser and the evaluator. Reported, never a crash.
EVALUATION_ERRORS = (ValueError, ArithmeticError, RecursionError)


def _services(model: dmn.Model) -> dict[str, m.DecisionService]:
    return {element.element_id: element for defs in model.definitions for element in defs.elements.values()
            if isinstance(element, m.DecisionService)}


def _find(model: dmn.Model, id_or_name: str) -> m.Decision | m.DecisionService:
    """The decision or decision service with this id (or else name); InvalidCommand listing them when none."""
    candidates: list[m.Decision | m.DecisionService] = [*decisions_of(model).values(), *_services(model).values()]
    for match in (lambda e: e.element_id == id_or_name, lambda e: e.name == id_or_name):
        found = [element for element in candidates if match(element)]
        if found:
            return found[0]
    known = ", ".join(sorted(element.element_id for element in candidates)) or "none"
    raise InvalidCommand(f"no decision or decision service {id_or_name!r} (has: {known})", field="decision")


def evaluate_rules(dmn_text: str, decision_id: str, inputs: dict[str, Any],
                   cpu_seconds: float = DEFAULT_CPU_SECONDS, memory_bytes: int | None = None) -> dict[str, Any]:
    """``{"result", "matched_rules", "messages", "kind"}`` of a decision or decision service (by id or name)
    within ``cpu_seconds`` of CPU time and ``memory_bytes`` as feel.budget meters it (the scripts' budget).

    ``inputs`` are the input data by name and, as a case's variables are, names any expression may read.
    ``result`` is JSON-ready (numbers int or float, dates and durations ISO 8601 text); a decision table's hit
    is ``{output name: value}`` (its shape in a case's data); ``matched_rules`` the ids of its table's rules
    that matched, in rule order; ``messages`` what went wrong (a UNIQUE table with two hits…: then the result is
    null). A file that is not DMN → InvalidCommand(field="dmn"); an unknown decision → field "decision"; an
    evaluation beyond the budget → field "inputs", naming the decision (and rule).
    """
    try:
        model = load_model(dmn_text)
    except (dmn.DmnError, *EVALUATION_ERRORS) as exc:
        raise InvalidCommand(f"the DMN does not parse: {exc}", field="dmn") from None
    element = _find(model, decision_id)
    try:
        with feel.budget.limit(cpu_seconds=cpu_seconds, max_bytes=memory_bytes):  # dmn's own limit nests inside
            if isinstance(element, m.DecisionService):
                result = model.evaluate_service(element.element_id, inputs, cpu_seconds=cpu_seconds)
                value = result.value
            else:
                result = model.evaluate(element.element_id, inputs, context=inputs, cpu_seconds=cpu_seconds)
                value = wrap_outputs(element, result.value)
    except feel.FeelBudgetExceeded as exc:
        where = f"decision {element.element_id!r}" + ("," if str(exc).startswith("rule ") else ":")
        raise InvalidCommand(f"evaluation failed: {where} {exc}", field="inputs") from None
    except EVALUATION_ERRORS as exc:
        raise InvalidCommand(f"evaluation failed: decision {element.element_id!r}: {exc}", field="inputs") from None
    kind = "decisionService" if isinstance(element, m.DecisionService) else _kind(element)
    return {"result": case_data(value), "matched_rules": list(result.matched_rules),
            "messages": list(result.messages), "decision": element.element_id, "kind": kind}


def _kind(decision: m.Decision) -> str:
    """The decision's logic as DMN names its element (decisionTable, literalExpression, context…)."""
    logic = decision.logic
    if logic is None:
        return "none"
    name = {"Literal": "LiteralExpression", "ListExpr": "List"}.get(type(logic).__name__, type(logic).__name__)
    return name[:1].lower() + name[1:]
