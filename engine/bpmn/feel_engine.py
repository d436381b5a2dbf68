"""FEEL decisions in SpiffWorkflow's business rule tasks.

SpiffWorkflow evaluates DMN cells as Python and knows only first-match and collect. gridcase puts its own DMN
evaluator (``dmn``: every decision kind and hit policy, full FEEL) behind the task instead: the parser hands
each business rule task a ``FeelDecisionEngine`` and the serializer stores the DMN source with the spec, so a
process version keeps exactly the rules it was deployed with. A DMN text is read once per process (a cache
keyed by its SHA-256), and each decision's FEEL is compiled once on first use.
"""

from __future__ import annotations

import hashlib
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter

import dmn
from dmn import model as m
from dmn.boxed_eval import Refused
from engine.bpmn.budget import ScriptLimits
from engine.domain.decisions import DecisionFailed, decisions_of, evaluate_on_data, load_model

_decisions = decisions_of


def check_runnable(model: dmn.Model, decision_id: str) -> None:
    """ValueError when the decision, or one it requires, cannot run (a FEEL syntax error, an unsupported
    construct): a deploy fails at once instead of the case that first reaches the task."""
    defs = model.definitions[0]
    pending, seen = [defs.elements[decision_id]], set()
    while pending:
        element = pending.pop()
        if element.element_id in seen or not isinstance(element, m.Decision):
            continue
        seen.add(element.element_id)
        try:
            model.graph.logic(defs, element)
        except Refused as exc:
            raise ValueError(f"decision {element.element_id!r} ({element.name}) cannot run: {exc}") from None
        for ref in element.required_decisions:
            try:
                pending.append(model.graph.resolve(defs, ref)[1])
            except dmn.DmnError as exc:
                raise ValueError(f"decision {element.element_id!r} requires {ref.element_id!r}, which is not "
                                 f"in the file: {exc.reason}") from None


class FeelDecisionEngine:
    """Stands in for SpiffWorkflow's DMNEngine: ``result(task)`` is merged into the task's data.

    A single-hit decision table merges its outputs into the data (one output: ``{output name: value}``); a list
    (COLLECT, RULE ORDER, OUTPUT ORDER), an aggregated number or another decision kind's non-context value is
    stored under the decision's id. The ids of the rules that matched go to ``<decision id>_rules``, so a case
    shows which rule routed it.
    """

    def __init__(self, decision_id: str, dmn_text: str, camunda: dict[str, str] | None = None) -> None:
        self.model = load_model(dmn_text)
        decisions = _decisions(self.model)
        if decision_id not in decisions:
            raise ValueError(f"no decision {decision_id!r} in the DMN (has: {', '.join(sorted(decisions))})")
        self.decision_id = decision_id
        self.decision = decisions[decision_id]
        self.dmn_text = dmn_text
        # A Camunda business rule task's result mapping: {"map": mapDecisionResult, "variable": resultVariable}.
        self.camunda = camunda

    def result(self, task: Any) -> dict[str, Any]:
        """The decision's outputs for the task's data, within the budget of the workflow's script engine."""
        limits = getattr(task.workflow.script_engine, "limits", None) or ScriptLimits()
        value, matched = evaluate_on_data(self.model, self.decision, task.data, limits.cpu_seconds,
                                          limits.max_result_bytes, memory_bytes=limits.memory_bytes)
        trace = {f"{self.decision_id}_rules": matched}
        if self.camunda is not None:
            variable = self.camunda.get("variable")
            return {variable: self._camunda_result(value), **trace} if variable else trace
        if value is None:
            return trace
        return {**value, **trace} if isinstance(value, dict) else {self.decision_id: value, **trace}

    def _camunda_result(self, value: Any) -> Any:
        """The result as Camunda's ``mapDecisionResult`` maps it (its documented shapes; a misfit is an error)."""
        logic = self.decision.logic
        outputs = ([out.name for out in logic.outputs] if isinstance(logic, m.DecisionTable)
                   else [self.decision.name])
        rows = ([] if value is None else [value] if isinstance(value, dict) else
                list(value) if isinstance(value, list) else [{outputs[0]: value}])  # an aggregate: one entry
        rows = [row if isinstance(row, dict) else {outputs[0]: row} for row in rows]
        mapping = self.camunda["map"] if self.camunda else "resultList"
        if mapping == "resultList":
            return rows
        if mapping in ("singleEntry", "singleResult") and len(rows) > 1:
            raise DecisionFailed(f"decision {self.decision_id!r} matched {len(rows)} rules, but mapDecisionResult "
                                 f"{mapping} takes at most one: use collectEntries or resultList")
        if mapping in ("singleEntry", "collectEntries") and any(len(row) > 1 for row in rows):
            raise DecisionFailed(f"decision {self.decision_id!r} has {len(outputs)} outputs, but mapDecisionResult "
                                 f"{mapping} takes one: use singleResult or resultList")
        if mapping == "singleResult":
            return rows[0] if rows else None
        if mapping == "singleEntry":
            return next(iter(rows[0].values())) if rows else None
        return [next(iter(row.values())) for row in rows]  # collectEntries

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.dmn_text.encode("utf-8")).hexdigest()


class FeelDecisions:
    """The DMN sources a parser was given, by decision id (several decisions per file allowed)."""

    def __init__(self) -> None:
        self.sources: dict[str, tuple[str, str]] = {}  # decision id → (file name, DMN text)

    def add(self, dmn_text: str, file_name: str) -> None:
        try:
            decisions = _decisions(load_model(dmn_text))
        except dmn.DmnError as exc:
            raise ValidationException(f"{file_name}: {exc}", file_name=file_name) from exc
        for decision_id in decisions:
            if decision_id in self.sources and self.sources[decision_id][0] != file_name:
                raise ValidationException(
                    f"decision {decision_id} is defined in both {self.sources[decision_id][0]} and {file_name}",
                    file_name=file_name)
            self.sources[decision_id] = (file_name, dmn_text)

    def engine(self, decision_id: str, node: Any, camunda: dict[str, str] | None = None) -> FeelDecisionEngine:
        """The engine of ``decision_id`` for the business rule task ``node``; ``camunda``: its result mapping."""
        if decision_id not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none"
            raise ValidationException(f"no DMN decision with id {decision_id!r} (known: {known})", node=node)
        file_name, text = self.sources[decision_id]
        engine = FeelDecisionEngine(decision_id, text, camunda)
        try:
            check_runnable(engine.model, decision_id)
        except ValueError as exc:
            raise ValidationException(f"{file_name}: {exc}", node=node, file_name=file_name) from None
        return engine


class FeelBusinessRuleTaskConverter(SpiffBpmnTaskConverter):
    """Serializes a business rule task with its decision id and DMN source (not Spiff's table)."""

    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(spec)
        dct["feel_decision"] = {"decision_id": spec.dmnEngine.decision_id, "dmn": spec.dmnEngine.dmn_text}
        if spec.dmnEngine.camunda is not None:  # only then: every other spec serializes (and hashes) as before
            dct["feel_decision"]["camunda"] = dict(spec.dmnEngine.camunda)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        feel = dct.pop("feel_decision")
        dct["dmnEngine"] = FeelDecisionEngine(feel["decision_id"], feel["dmn"], feel.get("camunda"))
        return self.task_spec_from_dict(dct)

