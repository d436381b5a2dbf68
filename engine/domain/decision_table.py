"""Pure DMN 1.3 decision tables: every hit policy, aggregations and decision requirements.

Superseded by feel/dmn; kept for the before/after bench (``gridcase bench feel``) and its own tests.

Result shapes (``evaluate``):

* UNIQUE, ANY, FIRST, PRIORITY: a dict ``{output name: value}`` of the hit rule, or ``None`` when no rule matches.
* COLLECT, RULE ORDER, OUTPUT ORDER: a list of such dicts (empty when no rule matches).
* COLLECT with SUM/MIN/MAX/COUNT: a single value; COUNT of no hits is 0, SUM/MIN/MAX of no hits is ``None``.

A table with a single output still returns dicts keyed by that output's name. Output entries are FEEL literals or
names resolved against the context (an empty entry is ``None``). An input value outside the input's allowed values
(``input_values``) is a :class:`DecisionError`; a ``None`` input is not checked against them.

Every evaluation runs within a CPU-time and output-size budget (``engine.domain.feel_budget``; by default one
second and 4 Mi characters, the script budget's defaults): exceeding it is a :class:`DecisionError` naming the
decision and the rule.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.domain.feel import FeelError, feel_compare, feel_equal, parse_literal, parse_unary_tests, resolve
from engine.domain.feel_budget import FeelBudgetExceeded, check_output_size, feel_budget, tick

SINGLE_HIT = ("UNIQUE", "ANY", "FIRST", "PRIORITY")
MULTI_HIT = ("COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
DEFAULT_CPU_SECONDS = 1.0
DEFAULT_OUTPUT_SIZE = 4 << 20
_SHOW = reprlib.Repr()  # values in messages: shortened, and safe for data nested thousands of levels deep
_SHOW.maxlevel, _SHOW.maxstring, _SHOW.maxother = 3, 80, 80


class DecisionError(ValueError):
    """A decision table that cannot be evaluated, or whose hit policy is violated."""


@dataclass(frozen=True)
class Rule:
    """One row: a unary-tests text per input and a literal/name text per output."""

    inputs: list[str]
    outputs: list[str]
    rule_id: str = ""


@dataclass
class DecisionTable:
    """A DMN decision table; ``output_values`` are the priority lists used by PRIORITY and OUTPUT ORDER."""

    decision_id: str
    name: str
    inputs: list[str]
    outputs: list[str]
    rules: list[Rule]
    hit_policy: str = "UNIQUE"
    aggregation: str | None = None
    input_values: list[str | None] = field(default_factory=list)
    output_values: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.hit_policy = " ".join(self.hit_policy.upper().replace("_", " ").split())
        self.aggregation = self.aggregation.upper() if self.aggregation else None
        self.validate()

    def validate(self) -> None:
        """Check the shape and parse every cell now, so errors name the decision and rule at load time."""
        if self.hit_policy not in SINGLE_HIT + MULTI_HIT:
            raise DecisionError(f"decision {self.decision_id!r}: unknown hit policy {self.hit_policy!r}")
        if self.aggregation and (self.hit_policy != "COLLECT" or self.aggregation not in AGGREGATIONS):
            raise DecisionError(f"decision {self.decision_id!r}: aggregation {self.aggregation!r} "
                                f"is only allowed as COLLECT with one of {', '.join(AGGREGATIONS)}")
        if self.aggregation and len(self.outputs) != 1:
            raise DecisionError(f"decision {self.decision_id!r}: an aggregation needs exactly one output")
        if self.hit_policy in {"PRIORITY", "OUTPUT ORDER"} and not any(self.output_values):
            raise DecisionError(f"decision {self.decision_id!r}: {self.hit_policy} needs output values")
        for rule in self.rules:
            self._validate_rule(rule)
        for text in [*self.input_values, *self.output_values]:
            if text:
                self._guard(lambda text=text: parse_unary_tests(text), "allowed values")
        self.priorities()

    def _validate_rule(self, rule: Rule) -> None:
        if len(rule.inputs) != len(self.inputs) or len(rule.outputs) != len(self.outputs):
            raise DecisionError(f"decision {self.decision_id!r}, rule {rule.rule_id!r}: has {len(rule.inputs)} "
                                f"input and {len(rule.outputs)} output entries, the table {len(self.inputs)} "
                                f"and {len(self.outputs)}")
        for text in rule.inputs:
            self._guard(lambda text=text: parse_unary_tests(text), f"rule {rule.rule_id!r}")
        for text in rule.outputs:
            self._guard(lambda text=text: _output_value(text, {}), f"rule {rule.rule_id!r}")

    def _guard(self, check: Any, where: str) -> Any:
        try:
            return check()
        except FeelError as exc:
            raise DecisionError(f"decision {self.decision_id!r}, {where}: {exc}") from exc

    def priorities(self) -> list[list[Any]]:
        """Each output's priority list (highest first), parsed from its output values text."""
        values = list(self.output_values) + [None] * (len(self.outputs) - len(self.output_values))
        return [self._guard(lambda text=text: parse_literal(f"[{text}]"), "output values") if text else []
                for text in values[:len(self.outputs)]]


def _output_value(text: str, context: Mapping[str, Any]) -> Any:
    """An output entry: empty is None, otherwise a FEEL literal or a name/path from the context."""
    return None if not text.strip() else resolve(text, context)


def _check_allowed(table: DecisionTable, values: list[Any], context: Mapping[str, Any]) -> None:
    for index, text in enumerate(table.input_values[:len(values)]):
        value = values[index]
        if text and value is not None and not parse_unary_tests(text).matches(value, context):
            raise DecisionError(f"decision {table.decision_id!r}: input {table.inputs[index]!r} = "
                                f"{_SHOW.repr(value)} is not among its allowed values {text}")


def _matching_rules(table: DecisionTable, context: Mapping[str, Any]) -> list[Rule]:
    """The rules whose every input entry matches, in rule order."""
    try:
        values = [resolve(expression, context) for expression in table.inputs]
    except FeelError as exc:
        raise DecisionError(f"decision {table.decision_id!r}: input expression {exc}") from exc
    except FeelBudgetExceeded as exc:
        raise DecisionError(f"decision {table.decision_id!r}, input expressions: {exc}") from exc
    _check_allowed(table, values, context)
    hits = []
    for rule in table.rules:
        try:
            tick(len(values))
            if all(parse_unary_tests(text).matches(value, context)
                   for text, value in zip(rule.inputs, values, strict=True)):
                hits.append(rule)
        except FeelBudgetExceeded as exc:
            raise DecisionError(f"decision {table.decision_id!r}, rule {rule.rule_id!r}: {exc}") from exc
    return hits


def _outputs(table: DecisionTable, rule: Rule, context: Mapping[str, Any]) -> dict[str, Any]:
    try:
        outputs = {name: _output_value(text, context) for name, text in zip(table.outputs, rule.outputs, strict=True)}
        check_output_size(outputs)
    except FeelBudgetExceeded as exc:
        raise DecisionError(f"decision {table.decision_id!r}, rule {rule.rule_id!r}: {exc}") from exc
    return outputs


def _priority_key(priorities: list[list[Any]], outputs: dict[str, Any]) -> tuple[int, ...]:
    """Lexicographic priority of a hit: index of each output's value in its list (unknown values last)."""
    key = []
    for values, value in zip(priorities, outputs.values(), strict=True):
        tick(len(values))
        key.append(next((index for index, item in enumerate(values) if feel_equal(item, value)), len(values)))
    return tuple(key)


def _single_hit(table: DecisionTable, hits: list[Rule], results: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not hits:
        return None
    ids = ", ".join(repr(rule.rule_id) for rule in hits)
    if table.hit_policy == "UNIQUE" and len(hits) > 1:
        raise DecisionError(f"decision {table.decision_id!r}: UNIQUE hit policy violated by rules {ids}")
    if table.hit_policy == "ANY" and any(not _same(results[0], other) for other in results[1:]):
        raise DecisionError(f"decision {table.decision_id!r}: ANY hit policy violated, rules {ids} differ in output")
    if table.hit_policy == "PRIORITY":
        priorities = table.priorities()
        return min(results, key=lambda outputs: _priority_key(priorities, outputs))
    return results[0]


def _same(left: dict[str, Any], right: dict[str, Any]) -> bool:
    return all(feel_equal(left[name], right[name]) for name in left)


def _aggregate(table: DecisionTable, results: list[dict[str, Any]]) -> Any:
    """COLLECT with SUM/MIN/MAX/COUNT over the single output (``None`` outputs are skipped, except by COUNT)."""
    if table.aggregation == "COUNT":
        return len(results)
    values = [value for outputs in results for value in outputs.values() if value is not None]
    if not values:
        return None
    try:
        if table.aggregation == "SUM":
            return sum(values)
        best = values[0]
        for value in values[1:]:
            order = feel_compare(value, best)
            if order is None:
                raise TypeError(value)
            if (order < 0) == (table.aggregation == "MIN") and order != 0:
                best = value
        return best
    except TypeError as exc:
        raise DecisionError(f"decision {table.decision_id!r}: cannot {table.aggregation} outputs "
                            f"{_SHOW.repr(values)}") from exc


def evaluate_with_trace(table: DecisionTable, context: Mapping[str, Any], cpu_seconds: float = DEFAULT_CPU_SECONDS,
                        max_output_size: int = DEFAULT_OUTPUT_SIZE) -> tuple[Any, list[str]]:
    """The table's result and the ids of every rule whose inputs matched (in rule order), within the budget."""
    with feel_budget(cpu_seconds, max_output_size):
        try:
            return _evaluate_with_trace(table, context)
        except FeelBudgetExceeded as exc:  # ordering or aggregating the hits (rules report their own)
            raise DecisionError(f"decision {table.decision_id!r}: {exc}") from exc


def _evaluate_with_trace(table: DecisionTable, context: Mapping[str, Any]) -> tuple[Any, list[str]]:
    hits = _matching_rules(table, context)
    results = [_outputs(table, rule, context) for rule in hits]
    matched = [rule.rule_id for rule in hits]
    if table.hit_policy in SINGLE_HIT:
        return _single_hit(table, hits, results), matched
    if table.aggregation:
        return _aggregate(table, results), matched
    if table.hit_policy == "OUTPUT ORDER":
        priorities = table.priorities()
        results = sorted(results, key=lambda outputs: _priority_key(priorities, outputs))
    return results, matched


def evaluate(table: DecisionTable, context: Mapping[str, Any]) -> Any:
    """Evaluate ``table`` against ``context`` (see the module docstring for the result shapes)."""
    return evaluate_with_trace(table, context)[0]


def evaluate_decision(decisions: Mapping[str, DecisionTable], requirements: Mapping[str, list[str]],
                      decision_id: str, context: Mapping[str, Any], cpu_seconds: float = DEFAULT_CPU_SECONDS) -> Any:
    """Evaluate ``decision_id`` after its required decisions; each one's result joins the context under its name."""
    with feel_budget(cpu_seconds, DEFAULT_OUTPUT_SIZE):
        return _evaluate_required(decisions, requirements, decision_id, context, [], {})


def evaluate_decision_with_trace(decisions: Mapping[str, DecisionTable], requirements: Mapping[str, list[str]],
                                 decision_id: str, context: Mapping[str, Any], cpu_seconds: float = DEFAULT_CPU_SECONDS,
                                 max_output_size: int = DEFAULT_OUTPUT_SIZE) -> tuple[Any, list[str]]:
    """Like ``evaluate_decision``, also returning the ids of the rules of ``decision_id`` that matched; all the
    decisions together run within ``cpu_seconds`` of CPU time, and no rule outputs more than ``max_output_size``."""
    with feel_budget(cpu_seconds, max_output_size):
        return _decision_with_trace(decisions, requirements, decision_id, context)


def _decision_with_trace(decisions: Mapping[str, DecisionTable], requirements: Mapping[str, list[str]],
                         decision_id: str, context: Mapping[str, Any]) -> tuple[Any, list[str]]:
    local = dict(context)
    done: dict[str, Any] = {}
    for required in requirements.get(decision_id, []):
        local[decisions[required].name or required] = _evaluate_required(decisions, requirements, required, context,
                                                                         [decision_id], done)
    if decision_id not in decisions:
        raise DecisionError(f"unknown decision {decision_id!r}")
    return evaluate_with_trace(decisions[decision_id], local)


def _evaluate_required(decisions: Mapping[str, DecisionTable], requirements: Mapping[str, list[str]],
                       decision_id: str, context: Mapping[str, Any], path: list[str], done: dict[str, Any]) -> Any:
    if decision_id in done:
        return done[decision_id]
    if decision_id in path:
        cycle = " -> ".join([*path[path.index(decision_id):], decision_id])
        raise DecisionError(f"decision requirements form a cycle: {cycle}")
    if decision_id not in decisions:
        via = f" (required by {path[-1]!r})" if path else ""
        raise DecisionError(f"unknown decision {decision_id!r}{via}")
    local = dict(context)
    for required in requirements.get(decision_id, []):
        result = _evaluate_required(decisions, requirements, required, context, [*path, decision_id], done)
        local[decisions[required].name or required] = result
    done[decision_id] = evaluate(decisions[decision_id], local)
    return done[decision_id]
