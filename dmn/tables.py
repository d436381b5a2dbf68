"""Decision tables (DMN 1.5 §8): every hit policy — U, A, P, F, R, O, C and C+ C< C> C# — with input values,
output values as priorities, default output entries, and input/output entries in full FEEL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import feel
from dmn import model as m
from dmn.notes import matched as record_matched
from dmn.notes import note
from dmn.table_index import RuleIndex
from feel import values

Scope = Mapping[str, Any]
Conform = Callable[[Any, str | None], tuple[Any, str | None]]
_POLICIES = {"U": "UNIQUE", "A": "ANY", "P": "PRIORITY", "F": "FIRST", "R": "RULE ORDER", "O": "OUTPUT ORDER",
             "C": "COLLECT", "RULE_ORDER": "RULE ORDER", "OUTPUT_ORDER": "OUTPUT ORDER"}
_AGGREGATIONS = {"SUM": "SUM", "+": "SUM", "MIN": "MIN", "<": "MIN", "MAX": "MAX", ">": "MAX", "COUNT": "COUNT",
                 "#": "COUNT"}


class TableRefused(ValueError):
    """The table cannot be evaluated at all (an unknown hit policy, a FEEL syntax error in an entry)."""


def split_tests(text: str) -> list[str]:
    """The comma-separated parts of unary tests / output values, commas inside quotes or brackets kept."""
    parts, depth, start, quoted, index = [], 0, 0, False, 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
        index += 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


@dataclass(frozen=True)
class _Column:
    expression: feel.Compiled
    values: feel.CompiledTests | None
    label: str


class CompiledTable:
    """A decision table compiled once: call it with a scope to get its result."""

    def __init__(self, table: m.DecisionTable, names: frozenset[str], conform: Conform | None = None) -> None:
        # ``conform`` makes an output conform to its output clause's or output entry's typeRef (null if not)
        self.conform = conform
        policy = table.hit_policy.strip().replace(" ", "_").upper()
        aggregation = (table.aggregation or "").strip().upper()
        if len(policy) == 2 and policy[0] == "C" and not aggregation:  # the short forms C+ C< C> C#
            policy, aggregation = "C", policy[1]
        self.policy = _POLICIES.get(policy, policy.replace("_", " "))
        if self.policy not in _POLICIES.values():
            raise TableRefused(f"unknown hit policy {table.hit_policy!r}")
        self.aggregation = _AGGREGATIONS.get(aggregation) if aggregation else None
        if aggregation and self.aggregation is None:
            raise TableRefused(f"unknown aggregation {table.aggregation!r}")
        self.table = table
        try:
            self.columns = [
                _Column(feel.compile_expression(column.expression, names=names),
                        feel.compile_unary_tests(column.values, names=names)
                        if column.values and column.values.strip() not in {"", "-"} else None,
                        column.expression)
                for column in table.inputs
            ]
            self.rules = [
                ([feel.compile_unary_tests(entry, names=names) for entry in rule.inputs],
                 [feel.compile_expression(entry, names=names) if entry.strip() else None for entry in rule.outputs])
                for rule in table.rules
            ]
            self.defaults = [feel.compile_expression(out.default, names=names) if out.default else None
                             for out in table.outputs]
            self.allowed = [feel.compile_unary_tests(out.values, names=names)
                            if out.values and out.values.strip() not in {"", "-"} else None
                            for out in table.outputs]
            self.priorities = [[feel.compile_unary_tests(part, names=names) for part in split_tests(out.values or "")]
                               for out in table.outputs]
        except feel.FeelError as exc:
            raise TableRefused(f"FEEL error: {exc}") from exc
        for rule in table.rules:
            if len(rule.inputs) != len(table.inputs) or len(rule.outputs) != len(table.outputs):
                raise TableRefused(f"rule {rule.rule_id!r} has {len(rule.inputs)} input and {len(rule.outputs)} "
                                   f"output entries for {len(table.inputs)} inputs and {len(table.outputs)} outputs")
        self.index = RuleIndex.build([rule.inputs for rule in table.rules])

    def __call__(self, scope: Scope) -> Any:
        inputs = [column.expression.evaluate(scope) for column in self.columns]
        for index, (column, value) in enumerate(zip(self.columns, inputs, strict=True)):
            # a value outside its column's input values is null for the rules (DMN 1.5 §8.3.3)
            if column.values is not None and value is not None and not column.values.matches(value, scope):
                note(f"input {column.label!r}: {values.to_string(value)} is not among the input values")
                inputs[index] = None
        matched = self._matching(inputs, scope)
        record_matched(self._rule_ids(matched))
        if not matched:
            return self._default(scope)
        return self._hit(matched, scope)

    def _matching(self, inputs: list[Any], scope: Scope) -> list[int]:
        matched = []
        for index in self.index.candidates(inputs):
            tests = self.rules[index][0]
            try:
                if _all_match(tests, inputs, scope):
                    matched.append(index)
            except feel.FeelBudgetExceeded as exc:  # say where: a costly rule is the modeller's to fix
                raise feel.FeelBudgetExceeded(f"rule {self.table.rules[index].rule_id!r}: {exc}") from exc
        return matched

    def _outputs(self, index: int, scope: Scope) -> list[Any]:
        row = [None if entry is None else entry.evaluate(scope) for entry in self.rules[index][1]]
        for position, ref in enumerate(self.table.rules[index].output_types):
            row[position] = self._typed(row[position], ref, position)
        return self._checked(row)

    def _typed(self, value: Any, ref: str | None, position: int) -> Any:
        if self.conform is None or ref is None or value is None:
            return value
        converted, error = self.conform(value, ref)
        if error:
            note(f"output {self.table.outputs[position].name!r}: {error}")
        return converted

    def _checked(self, row: list[Any]) -> list[Any]:
        for position, output in enumerate(self.table.outputs):
            row[position] = self._typed(row[position], output.type_ref, position)
        # an output outside its column's output values is null (DMN 1.5 §8.3.3)
        for position, (value, allowed) in enumerate(zip(row, self.allowed, strict=True)):
            if allowed is not None and value is not None and not allowed.matches(value, {}):
                note(f"output {self.table.outputs[position].name!r}: {values.to_string(value)} is not among the "
                     "output values")
                row[position] = None
        return row

    def _shape(self, row: list[Any]) -> Any:
        if len(self.table.outputs) == 1:
            return row[0]
        return {output.name: value for output, value in zip(self.table.outputs, row, strict=True)}

    def _default(self, scope: Scope) -> Any:
        if any(self.defaults):
            return self._shape(self._checked([None if d is None else d.evaluate(scope) for d in self.defaults]))
        if self.policy in {"RULE ORDER", "OUTPUT ORDER", "COLLECT"}:
            return None if self.aggregation in {"SUM", "MIN", "MAX"} else self._empty()
        return None

    def _empty(self) -> Any:
        return Decimal(0) if self.aggregation == "COUNT" else []

    def _hit(self, matched: list[int], scope: Scope) -> Any:
        rows = [self._outputs(index, scope) for index in matched]
        policy = self.policy
        if policy == "UNIQUE":
            if len(rows) > 1:
                note(f"hit policy UNIQUE: rules {', '.join(self._rule_ids(matched))} all match")
                return None
            return self._shape(rows[0])
        if policy == "ANY":
            if any(values.equal(row, rows[0]) is not True for row in rows[1:]):
                note(f"hit policy ANY: rules {', '.join(self._rule_ids(matched))} match with different outputs")
                return None
            return self._shape(rows[0])
        if policy == "FIRST":
            return self._shape(rows[0])
        if policy == "PRIORITY":
            return self._shape(sorted(rows, key=self._priority)[0])
        if policy == "OUTPUT ORDER":
            return [self._shape(row) for row in sorted(rows, key=self._priority)]
        if policy == "RULE ORDER" or self.aggregation is None:
            return [self._shape(row) for row in rows]
        return self._aggregate([self._shape(row) for row in rows])

    def _rule_ids(self, matched: list[int]) -> list[str]:
        return [self.table.rules[index].rule_id for index in matched]

    def _priority(self, row: list[Any]) -> tuple[int, ...]:
        # the position of each output among its output values: the first listed has the highest priority
        key = []
        for value, tests in zip(row, self.priorities, strict=True):
            position = next((i for i, test in enumerate(tests) if test.matches(value, {})), len(tests))
            key.append(position)
        return tuple(key)

    def _aggregate(self, outputs: list[Any]) -> Any:
        if len(self.table.outputs) > 1:
            note(f"aggregation {self.aggregation} needs a single output column")
            return None
        # as FEEL's count(), sum(), min() and max() of the outputs: a null output makes sum, min and max null
        if self.aggregation == "COUNT":
            return Decimal(len(outputs))
        if not outputs or any(value is None for value in outputs):
            return None
        return _AGGREGATE[self.aggregation or ""](outputs)


def _all_match(tests: list[feel.CompiledTests], inputs: list[Any], scope: Scope) -> bool:
    return all(test.matches(value, scope) for test, value in zip(tests, inputs, strict=True))


def _sum(items: list[Any]) -> Any:
    if not all(isinstance(item, Decimal) for item in items):
        note("aggregation SUM of values that are not all numbers")
        return None
    return values.NUMBER_CONTEXT.plus(sum(items, Decimal(0)))


def _extreme(pick: int) -> Callable[[list[Any]], Any]:
    def choose(items: list[Any]) -> Any:
        best = items[0]
        for item in items[1:]:
            order = values.compare(item, best)
            if order is None:
                note("aggregation MIN/MAX of values that cannot be compared")
                return None
            if order == pick:
                best = item
        return best

    return choose


_AGGREGATE: dict[str, Callable[[list[Any]], Any]] = {"SUM": _sum, "MIN": _extreme(-1), "MAX": _extreme(1)}
