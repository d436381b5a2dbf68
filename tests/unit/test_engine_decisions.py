"""The engine's decisions on dmn/feel: result shapes, case data as JSON, errors and the budget, earlier models."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.domain.decisions import DecisionFailed, decisions_of, evaluate_on_data, load_model
from engine.domain.errors import InvalidCommand
from engine.service.rules import evaluate_rules

NS = 'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t"'


def table(decision: str, policy: str, inputs: list[str], outputs: list[str], rules: list[tuple[list[str], list[str]]],
          requires: str = "") -> str:
    head = "".join(f"<input><inputExpression><text>{text}</text></inputExpression></input>" for text in inputs)
    head += "".join(f'<output name="{name}"/>' for name in outputs)
    body = "".join(f'<rule id="{decision}_{index}">'
                   + "".join(f"<inputEntry><text>{test}</text></inputEntry>" for test in tests)
                   + "".join(f"<outputEntry><text>{out}</text></outputEntry>" for out in outs) + "</rule>"
                   for index, (tests, outs) in enumerate(rules))
    req = f'<informationRequirement><requiredDecision href="#{requires}"/></informationRequirement>' if requires else ""
    return (f'<decision id="{decision}" name="{decision}">{req}<decisionTable hitPolicy="{policy}">{head}{body}'
            "</decisionTable></decision>")


def run(decisions: str, decision: str, data: dict[str, Any], cpu: float = 1.0,
        size: int = 4 << 20) -> tuple[Any, list[str]]:
    model = load_model(f"<definitions {NS}>{decisions}</definitions>")
    return evaluate_on_data(model, decisions_of(model)[decision], data, cpu, size)


def test_a_single_output_hit_keeps_its_name_and_a_collect_lists_them() -> None:
    rules = [(["&lt; 10"], ['"low"']), (["-"], ['"any"'])]
    assert run(table("band", "FIRST", ["amount"], ["band"], rules), "band", {"amount": 3}) == (
        {"band": "low"}, ["band_0", "band_1"])
    assert run(table("band", "COLLECT", ["amount"], ["band"], rules), "band", {"amount": 3}) == (
        [{"band": "low"}, {"band": "any"}], ["band_0", "band_1"])
    assert run(table("band", "C#", ["amount"], ["band"], rules), "band", {"amount": 3}) == (2, ["band_0", "band_1"])
    assert run(table("band", "UNIQUE", ["amount"], ["band"], rules[:1]), "band", {"amount": 30}) == (None, [])


def test_numbers_leave_as_json_numbers_without_float_noise_and_dates_as_iso_text() -> None:
    rules = [(["-"], ["amount * 0.1", "amount * 2", 'date(day) + duration("P1D")', 'time("10:00:00.123456789")'])]
    value, _ = run(table("calc", "FIRST", ["amount"], ["tenth", "twice", "next", "at"], rules), "calc",
                   {"amount": 3, "day": "2026-12-31"})
    assert value == {"tenth": 0.3, "twice": 6, "next": "2027-01-01", "at": "10:00:00.123456789"}
    assert json.dumps(value["tenth"]) == "0.3" and isinstance(value["twice"], int)


def test_a_unique_table_with_two_hits_fails_naming_the_decision_and_rules() -> None:
    rules = [(["&lt; 10"], ['"low"']), (["-"], ['"any"'])]
    with pytest.raises(DecisionFailed, match=r"^decision 'band': .*UNIQUE.*band_0, band_1"):
        run(table("band", "UNIQUE", ["amount"], ["band"], rules), "band", {"amount": 3})


def test_a_result_beyond_the_size_limit_fails_naming_the_decision() -> None:
    rules = [(["-"], ["for i in 1..1000 return big"])]
    with pytest.raises(DecisionFailed, match=r"^decision 'fan': the output would be larger than 10,000 characters"):
        run(table("fan", "FIRST", ["1"], ["o"], rules), "fan", {"big": "x" * 100}, size=10_000)


def test_a_costly_rule_fails_naming_the_decision_and_the_rule() -> None:
    rules = [(["big"], ['"y"'])] * 2_000
    with pytest.raises(DecisionFailed, match=r"^decision 'slow', rule 'slow_\d+': the evaluation used more than its "
                                             r"budget of 0.05 s of CPU time$"):
        run(table("slow", "COLLECT", ["a"], ["o"], rules), "slow", {"a": -1, "big": list(range(200_000))}, cpu=0.05)


def test_an_earlier_models_decision_output_path_reads_the_decision() -> None:
    level = table("urgency_level", "FIRST", ["urgency"], ["level"], [(['"urgent"'], ["1"]), (["-"], ["2"])])
    route = table("route", "FIRST", ["urgency_level.level"], ["team"], [(["1"], ['"fast"']), (["-"], ['"slow"'])],
                  requires="urgency_level")
    assert run(level + route, "route", {"urgency": "urgent"}) == ({"team": "fast"}, ["route_0", "route_1"])
    assert run(level + route, "route", {"urgency": "normal"})[0] == {"team": "slow"}


def test_the_rule_panel_evaluates_any_decision_kind_and_names_bad_input() -> None:
    literal = ('<decision id="total" name="Total"><literalExpression><text>sum(items) * 1.1</text>'
               "</literalExpression></decision>")
    text = f"<definitions {NS}>{literal}</definitions>"
    answer = evaluate_rules(text, "Total", {"items": [1, 2]})
    assert answer == {"result": 3.3, "matched_rules": [], "messages": [], "decision": "total",
                      "kind": "literalExpression"}
    with pytest.raises(InvalidCommand) as unknown:
        evaluate_rules(text, "nope", {})
    assert unknown.value.field == "decision" and "total" in str(unknown.value)
    with pytest.raises(InvalidCommand) as bad:
        evaluate_rules("<nope/>", "total", {})
    assert bad.value.field == "dmn"


def test_case_data_named_as_input_data_takes_its_type() -> None:
    decisions = ('<inputData id="i" name="due"><variable name="due" typeRef="date"/></inputData>'
                 '<decision id="late" name="late"><variable name="late" typeRef="boolean"/>'
                 '<informationRequirement><requiredInput href="#i"/></informationRequirement>'
                 '<literalExpression><text>due &lt; date("2027-01-01")</text></literalExpression></decision>')
    assert run(decisions, "late", {"due": "2026-12-31"}) == (True, [])  # the text "2026-12-31" read as a date
    assert run(decisions, "late", {"due": "2027-03-01"}) == (False, [])


def test_a_decision_making_more_than_the_memory_budget_fails_naming_it() -> None:
    big = 'string join(for j in 1..20000 return "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")'
    rules = [(["-"], [f"{{s: {big}, r: count(for i in 1..400 return s + string(i))}}.r"])]
    model = load_model(f"<definitions {NS}>{table('hoard', 'FIRST', ['1'], ['o'], rules)}</definitions>")
    with pytest.raises(DecisionFailed, match=r"^decision 'hoard'.*more than its budget of 16 MB"):
        evaluate_on_data(model, decisions_of(model)["hoard"], {}, 30.0, 4 << 20, memory_bytes=16 * 2**20)


def test_the_rule_panel_stops_at_the_memory_budget_naming_the_decision() -> None:
    big = 'string join(for j in 1..20000 return "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")'
    rules = [(["-"], [f"{{s: {big}, r: count(for i in 1..400 return s + string(i))}}.r"])]
    text = f"<definitions {NS}>{table('hoard', 'FIRST', ['1'], ['o'], rules)}</definitions>"
    with pytest.raises(InvalidCommand, match=r"decision 'hoard'.*16 MB") as refused:
        evaluate_rules(text, "hoard", {}, 30.0, 16 * 2**20)
    assert refused.value.field == "inputs"
