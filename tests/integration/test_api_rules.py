"""The designer's rule test panel: a posted decision table evaluated on typed inputs, with the matched rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, error_of, seeded_city

ROOT = Path(__file__).resolve().parents[2]
REPORT = {"report": {"subtype": "0601", "district": "350602", "urgency": "normal"}}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_city("sqlite", tmp_path_factory)


def _test(api: Api, user: str, dmn: str, decision: str, inputs: object) -> object:
    return api.post("/rules/evaluate", user, {"dmn": dmn, "decision": decision, "inputs": inputs})


def test_a_designer_sees_the_result_and_the_rule_that_matched(api: Api) -> None:
    dmn = (ROOT / "rules" / "responsibility.dmn").read_text("utf-8")
    done = _test(api, "designer01", dmn, "responsibility", REPORT)
    assert done.status_code == 200
    assert done.json["matched_rules"] == ["r_0601_350602_normal"]
    assert done.json["result"]["disposal_unit"] == "350602-D02"
    edited = dmn.replace('<rule id="r_0601_350602_normal">', '<rule id="r_0601_350602_normal_edited">')
    assert _test(api, "designer01", edited, "responsibility", REPORT).json["matched_rules"] == [
        "r_0601_350602_normal_edited"]


def test_bad_tables_and_inputs_name_the_field_and_others_may_not_use_it(api: Api) -> None:
    dmn = (ROOT / "rules" / "filing.dmn").read_text("utf-8")
    assert "dmn" in error_of(_test(api, "designer01", "<nope/>", "x", {}), 422)["fields"]
    assert "decision" in error_of(_test(api, "designer01", dmn, "nope", {}), 422)["fields"]
    assert "inputs" in error_of(api.post("/rules/evaluate", "designer01", {"dmn": dmn, "decision": "filing_advice",
                                                                           "inputs": "text"}), 422)["fields"]
    error_of(_test(api, "seat01", dmn, "filing_advice", REPORT), 403)
