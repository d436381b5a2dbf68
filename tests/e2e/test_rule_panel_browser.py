"""The designer's rule test panel in a real browser (Debian's Chromium): a literal-expression decision, whose
answer is a context, is offered in the panel, evaluated by POST /api/v1/rules/evaluate and shown readably (its
entries as a table: a number, a date, a list); a decision table's answer names the rules that matched."""

from __future__ import annotations

import json
from typing import Any

from browser_support import sign_in

FEE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="fee_defs" name="Stall fee"
             namespace="http://gridcase.example/rules/fee">
  <inputData id="area_in" name="Area"><variable name="Area" typeRef="number"/></inputData>
  <decision id="stall_fee" name="Stall fee">
    <variable name="Stall fee"/>
    <informationRequirement><requiredInput href="#area_in"/></informationRequirement>
    <literalExpression>
      <text>{daily: Area * 12.5, due: date("2026-12-01") + duration("P30D"), checks: ["hygiene", "fire safety"]}</text>
    </literalExpression>
  </decision>
</definitions>
"""


def _panel(browser: Any, base: str) -> Any:
    page = sign_in(browser, base, "designer01")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/designer")
    page.wait_for_function("() => window.gridcaseDesigner !== undefined && window.gridcaseRules !== undefined")
    return page


def test_a_literal_expression_decision_is_evaluated_and_shown_readably(browser: Any, city_server: str) -> None:
    page = _panel(browser, city_server)
    page.evaluate("xml => window.gridcaseDesigner.open('stall_fee.dmn', xml)", FEE)
    page.wait_for_selector("#canvas[data-ready=true]", timeout=20000)
    page.wait_for_selector('#rule-decision option[value="stall_fee"]', state="attached")
    page.select_option("#rule-decision", "stall_fee")
    page.fill("#rule-inputs", json.dumps({"Area": 4}))
    page.click("#rule-run")
    page.wait_for_selector("#rule-view table.rule-context", timeout=20000)
    rows = page.eval_on_selector_all("#rule-view table.rule-context > tbody > tr",
                                     "rows => rows.map(r => [r.cells[0].textContent, r.cells[1].innerText])")
    assert sorted(name for name, _ in rows) == ["checks", "daily", "due"]  # the API's JSON sorts keys
    assert dict(rows)["daily"] == "50"
    assert dict(rows)["due"] == "2026-12-31"
    assert page.get_attribute("#rule-view .rule-value[data-type=date]", "data-type") == "date"
    assert page.eval_on_selector_all("#rule-view ol.rule-list > li", "items => items.map(i => i.textContent)") == [
        "hygiene", "fire safety"]
    assert "literalExpression" in page.inner_text("#rule-view .rule-result-kind")
    assert "Matched rules" not in page.inner_text("#rule-view")  # no table: no rules to name
    assert json.loads(page.inner_text("#rule-result"))["result"]["daily"] == 50  # the raw answer stays below


def test_a_decision_table_s_answer_names_the_matched_rules(browser: Any, city_server: str) -> None:
    page = _panel(browser, city_server)
    page.locator("#source-files a", has_text="responsibility.dmn").click()
    page.wait_for_selector("#canvas[data-ready=true]", timeout=20000)
    page.wait_for_selector('#rule-decision option[value="responsibility"]', state="attached")
    page.select_option("#rule-decision", "responsibility")
    page.fill("#rule-inputs", json.dumps({"report": {"subtype": "0601", "district": "350602", "urgency": "normal"}}))
    page.click("#rule-run")
    page.wait_for_selector("#rule-view .rule-matched", timeout=20000)
    assert "r_0601_350602_normal" in page.inner_text("#rule-view .rule-matched")
    assert "350602-D02" in page.inner_text("#rule-view table.rule-context")
