"""DMN decision tables: every hit policy, aggregations, required decisions and DMN 1.1–1.5 files.

The tables are modelled on the DMN 1.3 specification's chapter 8 hit policy examples (Applicant Risk Rating,
Person Loan Compliance, Special Discount, Routing Rules) and written as small DMN XML strings.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from engine.bpmn.dmn_file import DMN_NAMESPACES, DmnFileError, parse_dmn
from engine.domain.decision_table import (
    DecisionError,
    DecisionTable,
    Rule,
    evaluate,
    evaluate_decision,
    evaluate_with_trace,
)

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def _column(tag: str, spec: str | tuple[str, str]) -> str:
    text, values = (spec, None) if isinstance(spec, str) else spec
    values_xml = f"<{tag}Values><text>{escape(values)}</text></{tag}Values>" if values else ""
    if tag == "input":
        return f'<input><inputExpression><text>{escape(text)}</text></inputExpression>{values_xml}</input>'
    return f'<output name="{text}">{values_xml}</output>' if text else f"<output>{values_xml}</output>"


def table(decision_id: str, inputs: list, outputs: list, rules: list[tuple[str, list[str], list[str]]],
          hit_policy: str | None = None, aggregation: str | None = None, requires: tuple[str, ...] = (),
          name: str | None = None) -> str:
    """One ``<decision>`` holding a decision table; ``inputs``/``outputs`` items are text or (text, values)."""
    attributes = (f' hitPolicy="{hit_policy}"' if hit_policy else "") + (
        f' aggregation="{aggregation}"' if aggregation else "")
    rows = "".join(f'<rule id="{rule_id}">' + "".join(f"<inputEntry><text>{escape(c)}</text></inputEntry>" for c in ins)
                   + "".join(f"<outputEntry><text>{escape(c)}</text></outputEntry>" for c in outs) + "</rule>"
                   for rule_id, ins, outs in rules)
    needs = "".join(f'<informationRequirement><requiredDecision href="#{r}"/></informationRequirement>'
                    for r in requires)
    return (f'<decision id="{decision_id}" name="{name or decision_id}">{needs}<decisionTable{attributes}>'
            + "".join(_column("input", spec) for spec in inputs)
            + "".join(_column("output", spec) for spec in outputs) + f"{rows}</decisionTable></decision>")


def dmn(*decisions: str, ns: str = DMN13) -> str:
    return f'<definitions xmlns="{ns}" id="defs" name="d" namespace="t">{"".join(decisions)}</definitions>'


def load(*decisions: str, ns: str = DMN13) -> DecisionTable:
    tables, _ = parse_dmn(dmn(*decisions, ns=ns))
    return next(iter(tables.values()))


RISK_RULES = [
    ("r1", ["> 60", '"good"'], ['"Medium"']),
    ("r2", ["> 60", '"bad"'], ['"High"']),
    ("r3", ["[25..60]", "-"], ['"Medium"']),
    ("r4", ["< 25", '"good"'], ['"Low"']),
    ("r5", ["< 25", '"bad"'], ['"Medium"']),
]


@pytest.mark.parametrize(("age", "history", "rating", "rule"), [
    (65, "good", "Medium", "r1"), (61, "bad", "High", "r2"), (60, "bad", "Medium", "r3"), (25, "good", "Medium", "r3"),
    (24, "good", "Low", "r4"), (18, "bad", "Medium", "r5"), (40, None, "Medium", "r3"),
])
def test_unique_applicant_risk_rating(age: int, history: str | None, rating: str, rule: str) -> None:
    risk = load(table("risk", ["Applicant Age", "Medical History"], ["Applicant Risk Rating"], RISK_RULES))
    context = {"Applicant Age": age, "Medical History": history}
    assert evaluate_with_trace(risk, context) == ({"Applicant Risk Rating": rating}, [rule])


def test_unique_no_match_is_none_and_overlap_is_an_error_naming_the_rules() -> None:
    risk = load(table("risk", ["Applicant Age", "Medical History"], ["Applicant Risk Rating"], RISK_RULES))
    assert evaluate(risk, {"Applicant Age": 70, "Medical History": "unknown"}) is None
    assert evaluate(risk, {}) is None
    overlapping = load(table("risk", ["age"], ["rating"], [("a", ["> 60"], ['"High"']), ("b", [">= 18"], ['"Low"'])]))
    with pytest.raises(DecisionError, match=r"UNIQUE.*'a', 'b'"):
        evaluate(overlapping, {"age": 70})
    assert evaluate(overlapping, {"age": 30}) == {"rating": "Low"}


LOAN_RULES = [
    ("c1", ['"A"', "< 10000", "< 50000"], ['"Compliant"']),
    ("c2", ['not("A")', "-", "-"], ['"Not Compliant"']),
    ("c3", ["-", ">= 10000", "-"], ['"Not Compliant"']),
    ("c4", ["-", "-", ">= 50000"], ['"Not Compliant"']),
]
LOAN_INPUTS = ["Persons Credit Rating from Bureau", "Person Credit Card Balance", "Person Education Loan Balance"]


@pytest.mark.parametrize(("rating", "card", "education", "expected", "rules"), [
    ("A", 5000, 20000, "Compliant", ["c1"]),
    ("B", 5000, 20000, "Not Compliant", ["c2"]),
    ("B", 12000, 60000, "Not Compliant", ["c2", "c3", "c4"]),
    ("A", 10000, 50000, "Not Compliant", ["c3", "c4"]),
])
def test_any_person_loan_compliance(rating: str, card: int, education: int, expected: str, rules: list[str]) -> None:
    compliance = load(table("loan", LOAN_INPUTS, ["Person Loan Compliance"], LOAN_RULES, hit_policy="ANY"))
    context = dict(zip(LOAN_INPUTS, [rating, card, education], strict=True))
    assert evaluate_with_trace(compliance, context) == ({"Person Loan Compliance": expected}, rules)


def test_any_with_differing_outputs_is_an_error() -> None:
    rules = [*LOAN_RULES[:3], ("c4", ["-", "-", ">= 50000"], ['"Compliant"'])]
    compliance = load(table("loan", LOAN_INPUTS, ["Person Loan Compliance"], rules, hit_policy="ANY"))
    with pytest.raises(DecisionError, match=r"ANY.*'c3', 'c4'"):
        evaluate(compliance, dict(zip(LOAN_INPUTS, ["A", 12000, 60000], strict=True)))


@pytest.mark.parametrize(("age", "history", "rating", "matched"), [
    (70, "bad", "High", ["r2", "r6"]), (40, "bad", "Medium", ["r3", "r6"]), (20, "good", "Low", ["r4"]),
    (20, "bad", "Medium", ["r5", "r6"]),
])
def test_priority_applicant_risk_rating(age: int, history: str, rating: str, matched: list[str]) -> None:
    rules = [*RISK_RULES, ("r6", ["-", '"bad"'], ['"Low"'])]
    outputs = [("Applicant Risk Rating", '"High","Medium","Low"')]
    risk = load(table("risk", ["Applicant Age", "Medical History"], outputs, rules, hit_policy="PRIORITY"))
    context = {"Applicant Age": age, "Medical History": history}
    assert evaluate_with_trace(risk, context) == ({"Applicant Risk Rating": rating}, matched)


@pytest.mark.parametrize(("order", "location", "customer", "discount", "matched"), [
    ("Web", "US", "Wholesaler", 10, ["d1", "d5"]),
    ("Phone", "Non-US", "Retailer", 0, ["d2", "d3", "d5"]),
    ("Web", "Non-US", "Retailer", 2, ["d3", "d5"]),
    ("Web", "US", "Retailer", 5, ["d4", "d5"]),
    ("Fax", "US", "Retailer", 1, ["d5"]),
])
def test_first_special_discount(order: str, location: str, customer: str, discount: int, matched: list[str]) -> None:
    rules = [("d1", ['"Web"', '"US"', '"Wholesaler"'], ["10"]), ("d2", ['"Phone"', "-", "-"], ["0"]),
             ("d3", ["-", '"Non-US"', "-"], ["2"]), ("d4", ['"Web"', '"US"', '"Retailer"'], ["5"]),
             ("d5", ["-", "-", "-"], ["1"])]
    inputs = ["Type of Order", "Customer Location", "Type of Customer"]
    special = load(table("discount", inputs, ["Special Discount"], rules, hit_policy="FIRST"))
    context = dict(zip(inputs, [order, location, customer], strict=True))
    assert evaluate_with_trace(special, context) == ({"Special Discount": discount}, matched)


ROUTING_RULES = [
    ("accept", ["-", "-", "-"], ['"ACCEPT"', '"NONE"', '"Acceptable"']),
    ("young", ["< 18", "-", "-"], ['"DECLINE"', '"NONE"', '"Applicant too young"']),
    ("risky", ["-", '"HIGH"', "-"], ['"REFER"', '"LEVEL 1"', '"High risk application"']),
    ("debt", ["-", "-", "true"], ['"REFER"', '"LEVEL 2"', '"Applicant under debt review"']),
]
ROUTING_OUTPUTS = [("Routing", '"DECLINE","REFER","ACCEPT"'), ("Review level", '"LEVEL 2","LEVEL 1","NONE"'),
                   "Reason"]


def _routing(hit_policy: str) -> DecisionTable:
    return load(table("routing", ["Age", "Risk category", "Debt review"], ROUTING_OUTPUTS, ROUTING_RULES,
                      hit_policy=hit_policy))


ALL_HITS = {"Age": 17, "Risk category": "HIGH", "Debt review": True}
ACCEPT, YOUNG, RISKY, DEBT = ({"Routing": rule[2][0].strip('"'), "Review level": rule[2][1].strip('"'),
                               "Reason": rule[2][2].strip('"')} for rule in ROUTING_RULES)


def test_rule_order_routing_rules() -> None:
    assert evaluate_with_trace(_routing("RULE ORDER"), ALL_HITS) == ([ACCEPT, YOUNG, RISKY, DEBT],
                                                                     ["accept", "young", "risky", "debt"])
    assert evaluate(_routing("RULE ORDER"), {"Age": 30, "Risk category": "LOW", "Debt review": False}) == [ACCEPT]


def test_output_order_routing_rules_sorts_by_each_output_priority() -> None:
    assert evaluate(_routing("OUTPUT ORDER"), ALL_HITS) == [YOUNG, DEBT, RISKY, ACCEPT]
    assert evaluate(_routing("OUTPUT ORDER"), {"Age": 40, "Risk category": "HIGH", "Debt review": False}) == [
        RISKY, ACCEPT]


def test_priority_with_several_outputs_uses_them_in_order() -> None:
    assert evaluate(_routing("PRIORITY"), ALL_HITS) == YOUNG
    assert evaluate(_routing("PRIORITY"), {"Age": 40, "Risk category": "HIGH", "Debt review": True}) == DEBT


def test_collect_routing_rules_is_a_list_and_empty_when_nothing_matches() -> None:
    assert evaluate(_routing("COLLECT"), ALL_HITS) == [ACCEPT, YOUNG, RISKY, DEBT]
    no_catch_all = load(table("routing", ["Age"], ["Routing"], [("young", ["< 18"], ['"DECLINE"'])],
                              hit_policy="COLLECT"))
    assert evaluate_with_trace(no_catch_all, {"Age": 30}) == ([], [])


HOLIDAY_RULES = [("base", ["-", "-"], ["22"]), ("senior", [">= 60", "-"], ["3"]), ("loyal", ["-", ">= 30"], ["3"]),
                 ("young", ["< 18", "-"], ["5"])]


@pytest.mark.parametrize(("aggregation", "veteran", "newcomer", "nobody"), [
    ("SUM", 28, 22, None), ("MIN", 3, 22, None), ("MAX", 22, 22, None), ("COUNT", 3, 1, 0),
])
def test_collect_aggregations(aggregation: str, veteran: int, newcomer: int, nobody: int | None) -> None:
    holidays, no_base = (load(table("holidays", ["Age", "Years of Service"], ["Holidays"], rules, hit_policy="COLLECT",
                                    aggregation=aggregation)) for rules in (HOLIDAY_RULES, HOLIDAY_RULES[1:]))
    assert evaluate_with_trace(holidays, {"Age": 65, "Years of Service": 35}) == (veteran, ["base", "senior", "loyal"])
    assert evaluate(holidays, {"Age": 30, "Years of Service": 5}) == newcomer
    assert evaluate_with_trace(no_base, {"Age": 30, "Years of Service": 5}) == (nobody, [])


def test_collect_min_max_of_dates_and_sum_of_strings() -> None:
    rules = [Rule(["-"], ['date("2026-03-01")'], "a"), Rule(["-"], ['date("2026-01-15")'], "b")]
    latest = DecisionTable("due", "Due", ["x"], ["due"], rules, hit_policy="COLLECT", aggregation="MAX")
    assert str(evaluate(latest, {})) == "2026-03-01"
    texts = DecisionTable("t", "T", ["x"], ["t"], [Rule(["-"], ['"a"'], "a"), Rule(["-"], ["1"], "b")],
                          hit_policy="COLLECT", aggregation="SUM")
    with pytest.raises(DecisionError, match="cannot SUM"):
        evaluate(texts, {})


def test_outputs_may_name_context_values_and_single_outputs_fall_back_to_the_decision_name() -> None:
    echo = load(table("echo", ["report.subtype"], [""], [("r", ["-"], ["report.district"])], name="Echo"))
    assert evaluate(echo, {"report": {"subtype": "x", "district": "North"}}) == {"Echo": "North"}
    empty = DecisionTable("e", "E", ["a"], ["out"], [Rule(["-"], [""], "r")])
    assert evaluate(empty, {"a": 1}) == {"out": None}


def test_input_values_restrict_inputs() -> None:
    risk = load(table("risk", [("history", '"good","bad"')], ["rating"], [("r", ["-"], ['"x"'])]))
    assert evaluate(risk, {"history": "good"}) == {"rating": "x"}
    assert evaluate(risk, {}) == {"rating": "x"}
    with pytest.raises(DecisionError, match=r"'history' = 'fair' is not among its allowed values"):
        evaluate(risk, {"history": "fair"})


def test_required_decisions_feed_their_results_under_their_names() -> None:
    band = table("band", ["age"], ["band"], [("b1", ["< 25"], ['"young"']), ("b2", [">= 25"], ['"adult"'])],
                 name="Age Band")
    rating = table("rating", ["Age Band.band", "history"], ["rating"],
                   [("x1", ['"young"', "-"], ['"Medium"']), ("x2", ['"adult"', '"bad"'], ['"High"']),
                    ("x3", ['"adult"', '"good"'], ['"Low"'])], requires=("band",), name="Rating")
    route = table("route", ["Rating.rating"], ["queue"], [("q1", ['"High"'], ['"manual"']),
                                                          ("q2", ['not("High")'], ['"auto"'])],
                  requires=("rating", "band"))
    decisions, requirements = parse_dmn(dmn(route, rating, band))
    assert requirements == {"route": ["rating", "band"], "rating": ["band"], "band": []}
    assert evaluate_decision(decisions, requirements, "route", {"age": 40, "history": "bad"}) == {"queue": "manual"}
    assert evaluate_decision(decisions, requirements, "route", {"age": 20, "history": "bad"}) == {"queue": "auto"}
    assert evaluate_decision(decisions, requirements, "rating", {"age": 40, "history": "good"}) == {"rating": "Low"}


def test_required_decision_cycles_and_unknown_decisions_are_errors() -> None:
    first = table("a", ["x"], ["a"], [("r", ["-"], ["1"])], requires=("b",))
    second = table("b", ["x"], ["b"], [("r", ["-"], ["2"])], requires=("a",))
    decisions, requirements = parse_dmn(dmn(first, second))
    with pytest.raises(DecisionError, match="cycle: a -> b -> a"):
        evaluate_decision(decisions, requirements, "a", {})
    with pytest.raises(DecisionError, match="unknown decision 'zz'"):
        evaluate_decision(decisions, requirements, "zz", {})


@pytest.mark.parametrize("ns", DMN_NAMESPACES)
def test_every_dmn_namespace_loads(ns: str) -> None:
    decisions, requirements = parse_dmn(dmn(
        table("band", ["age"], ["band"], [("b1", ["< 25"], ['"young"'])], hit_policy="COLLECT", aggregation="COUNT"),
        table("risk", ["band"], ["risk"], [("r1", ["0"], ['"none"']), ("r2", ["> 0"], ['"some"'])],
              requires=("band",)), ns=ns))
    assert sorted(decisions) == ["band", "risk"]
    assert decisions["band"].hit_policy == "COLLECT"
    assert decisions["band"].aggregation == "COUNT"
    assert decisions["risk"].hit_policy == "UNIQUE"
    assert evaluate_decision(decisions, requirements, "risk", {"age": 20}) == {"risk": "some"}
    assert evaluate_decision(decisions, requirements, "risk", {"age": 30}) == {"risk": "none"}


@pytest.mark.parametrize(("xml", "message"), [
    (dmn(table("d", ["x"], ["y"], [("bad_rule", ["[1..5"], ["1"])])), r"decision 'd', rule 'bad_rule'"),
    (dmn(table("d", ["x"], ["y"], [("bad_out", ["-"], ["1 +"])])), r"decision 'd', rule 'bad_out'"),
    (dmn(table("d", ["x", "z"], ["y"], [("short", ["-"], ["1"])])), r"rule 'short': has 1 input"),
    (dmn(table("d", ["x"], ["y"], [], hit_policy="SOMETIMES")), "unknown hit policy 'SOMETIMES'"),
    (dmn(table("d", ["x"], ["y"], [], hit_policy="FIRST", aggregation="SUM")), "only allowed as COLLECT"),
    (dmn(table("d", ["x"], ["y", "z"], [], hit_policy="COLLECT", aggregation="SUM")), "exactly one output"),
    (dmn(table("d", ["x"], ["y"], [], hit_policy="PRIORITY")), "PRIORITY needs output values"),
    (dmn(table("d", ["x"], ["y"], [], requires=("ghost",))), "'d' requires unknown decision 'ghost'"),
    (dmn(table("d", ["x"], ["y"], []), table("d", ["x"], ["y"], [])), "'d' is used twice"),
    (dmn('<decision id="lit" name="Lit"><literalExpression><text>1</text></literalExpression></decision>'),
     "decision 'lit' .* not a decision table"),
    (dmn(table("d", ["x"], ["y"], []), ns="http://example.com/not-dmn"), "not a DMN 1.1-1.5"),
    ("<definitions", "not well-formed"),
    (dmn('<decision id="e"><decisionTable><input id="in1"/><output name="o"/></decisionTable></decision>'),
     "decision 'e': input 'in1' has no input expression"),
])
def test_dmn_file_errors_name_the_decision_and_rule(xml: str, message: str) -> None:
    with pytest.raises(DmnFileError, match=message) as info:
        parse_dmn(xml)
    assert isinstance(info.value, ValueError)


def test_hit_policy_spelling_and_rule_ids_default() -> None:
    decision = ('<decision id="d" name="D"><decisionTable hitPolicy="rule_order">'
                '<input><inputExpression><text>x</text></inputExpression></input><output name="y"/>'
                "<rule><inputEntry><text>-</text></inputEntry><outputEntry><text>1</text></outputEntry></rule>"
                "</decisionTable></decision>")
    loaded = load(decision)
    assert loaded.hit_policy == "RULE ORDER"
    assert evaluate_with_trace(loaded, {"x": 1}) == ([{"y": 1}], ["d#rule1"])
