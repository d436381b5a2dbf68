"""rules/filing.dmn and rules/priority.dmn: generated from the catalogue, evaluated with FEEL semantics."""

from __future__ import annotations

from typing import Any

import pytest

from city.catalog.reader import load_catalog
from city.catalog.rules import CITY, FILING_OUT, PRIORITY_OUT, render_filing, render_priority
from engine.domain.decisions import decisions_of, evaluate_on_data, load_model


def _evaluate(path: Any, decision: str, context: dict[str, Any]) -> Any:
    """The decision as a business rule task evaluates it on a case's data."""
    model = load_model(path.read_text("utf-8"))
    return evaluate_on_data(model, decisions_of(model)[decision], context, 1.0, 4 << 20)[0]


def test_the_files_are_what_the_catalogue_generates() -> None:
    catalog = load_catalog(CITY)
    assert FILING_OUT.read_text("utf-8") == render_filing(catalog)
    assert PRIORITY_OUT.read_text("utf-8") == render_priority(catalog)


def test_every_subtype_has_exactly_one_filing_condition_naming_it() -> None:
    catalog = load_catalog(CITY)
    for subtype in catalog.subtypes.values():
        result = _evaluate(FILING_OUT, "filing_condition", {"report": {"subtype": subtype.code}})
        assert result["filing_condition"].startswith(subtype.name_zh + "：")


@pytest.mark.parametrize(("report", "verification", "expected"), [
    ({"subtype": "0601", "in_coverage": True, "duplicate_of": None}, None, ("file", None)),
    ({"subtype": "0601", "in_coverage": True}, {"found": True}, ("file", None)),
    ({"subtype": "0601", "in_coverage": False}, None, ("void", "out_of_scope")),
    ({"subtype": "9999", "in_coverage": True}, None, ("void", "out_of_scope")),
    ({"subtype": "0601", "in_coverage": True, "duplicate_of": "ZZ-000001"}, None, ("void", "duplicate")),
    ({"subtype": "0601", "in_coverage": True}, {"found": False}, ("void", "invalid")),
    # The first reason in the table wins: outside coverage before duplicate before not found.
    ({"subtype": "0601", "in_coverage": False, "duplicate_of": "ZZ-1"}, {"found": False}, ("void", "out_of_scope")),
    ({"subtype": "0601", "in_coverage": True, "duplicate_of": "ZZ-1"}, {"found": False}, ("void", "duplicate")),
])
def test_filing_advice(report: dict[str, Any], verification: dict[str, Any] | None,
                       expected: tuple[str, str | None]) -> None:
    result = _evaluate(FILING_OUT, "filing_advice", {"report": report, "verification": verification})
    assert (result["advice"], result["void_reason"]) == expected
    assert result["advice_note"]


@pytest.mark.parametrize(("report", "urgency"), [
    ({"channel": "hotline", "subtype": "0601", "urgency": "normal"}, "normal"),
    ({"channel": "patrol", "subtype": "0601"}, "normal"),
    ({"channel": "leadership", "subtype": "0601"}, "urgent"),
    ({"channel": "media", "subtype": "0601", "urgency": "normal"}, "urgent"),
    ({"channel": "wechat", "subtype": "0906"}, "urgent"),  # 燃气泄漏 gas leak: a hazard
    ({"channel": "wechat", "subtype": "0601", "urgency": "urgent"}, "urgent"),
])
def test_priority(report: dict[str, Any], urgency: str) -> None:
    assert _evaluate(PRIORITY_OUT, "priority", {"report": report})["urgency"] == urgency


def test_every_hazard_subtype_is_urgent_from_any_channel() -> None:
    catalog = load_catalog(CITY)
    for subtype in catalog.subtypes.values():
        result = _evaluate(PRIORITY_OUT, "priority", {"report": {"channel": "hotline", "subtype": subtype.code}})
        assert result["urgency"] == subtype.default_urgency
