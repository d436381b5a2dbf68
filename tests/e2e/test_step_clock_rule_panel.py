"""The step limits (rules/step_limits.dmn) in the designer's rule panel, in a real browser (Debian's Chromium):
dmn-js opens the table, and the panel's answer for a step is its limit, warning share and escalation group."""

from __future__ import annotations

import json
from typing import Any

from browser_support import sign_in


def test_the_step_limits_open_and_answer_in_the_rule_panel(browser: Any, city_server: str) -> None:
    page = sign_in(browser, city_server, "designer01")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{city_server}/designer")
    page.wait_for_function("() => window.gridcaseDesigner !== undefined && window.gridcaseRules !== undefined")
    page.locator("#source-files a", has_text="step_limits.dmn").click()
    page.wait_for_selector("#canvas[data-ready=true]", timeout=20000)
    page.wait_for_selector('#rule-decision option[value="step_limits"]', state="attached")
    page.select_option("#rule-decision", "step_limits")
    page.fill("#rule-inputs", json.dumps({"step": "verify", "report": {"subtype": "0601", "urgency": "urgent"}}))
    page.click("#rule-run")
    page.wait_for_selector("#rule-view .rule-matched", timeout=20000)
    assert "r_verify_urgent" in page.inner_text("#rule-view .rule-matched")
    answer = json.loads(page.inner_text("#rule-result"))["result"]
    assert answer == {"limit_amount": 1, "limit_unit": "working_hours", "warning_share": 0.8,
                      "escalate_to": "shift_lead"}
