"""Evaluate a DMN decision on given inputs (the designer's test panel and `gridcase rules eval` share it)."""

from __future__ import annotations

from typing import Any

from engine.bpmn.dmn_file import parse_dmn
from engine.domain.decision_table import DEFAULT_CPU_SECONDS, evaluate_decision_with_trace
from engine.domain.errors import InvalidCommand

# What a table's FEEL can raise on hostile input: bad values, arithmetic beyond the date and number types'
# range, expressions or inputs nested too deeply for the parser and the evaluator. Reported, never a crash.
EVALUATION_ERRORS = (ValueError, ArithmeticError, RecursionError)


def evaluate_rules(dmn_text: str, decision_id: str, inputs: dict[str, Any],
                   cpu_seconds: float = DEFAULT_CPU_SECONDS) -> dict[str, Any]:
    """``{"result", "matched_rules"}`` of ``decision_id`` (within ``cpu_seconds`` of CPU time, the scripts' budget);
    a bad file or a failed evaluation → InvalidCommand."""
    try:
        decisions, requirements = parse_dmn(dmn_text)
    except EVALUATION_ERRORS as exc:  # the table's literals are evaluated while it is read
        raise InvalidCommand(f"the DMN does not parse: {exc}", field="dmn") from None
    if decision_id not in decisions:
        raise InvalidCommand(f"no decision {decision_id!r} (has: {', '.join(sorted(decisions))})", field="decision")
    try:
        result, matched = evaluate_decision_with_trace(decisions, requirements, decision_id, inputs, cpu_seconds)
    except EVALUATION_ERRORS as exc:
        raise InvalidCommand(f"evaluation failed: {exc}", field="inputs") from None
    return {"result": result, "matched_rules": matched}
