"""rules/responsibility.dmn: generated from the catalogue, one rule for every subtype, district and urgency."""

from __future__ import annotations

from typing import Any

from city.catalog.reader import load_catalog
from city.catalog.rules import CITY, OUT, render
from engine.domain.decisions import decisions_of, evaluate_on_data, load_model


def evaluate_with_trace(context: dict[str, Any]) -> tuple[Any, list[str]]:
    """The responsibility decision as a business rule task evaluates it on a case's data."""
    model = load_model(OUT.read_text("utf-8"))
    return evaluate_on_data(model, decisions_of(model)["responsibility"], context, 1.0, 4 << 20)


def test_the_file_is_what_the_catalogue_generates() -> None:
    assert OUT.read_text("utf-8") == render(load_catalog(CITY))


def test_every_report_matches_exactly_one_rule_with_a_real_department() -> None:
    catalog = load_catalog(CITY)
    disposal_by_district: dict[str, set[str]] = {}
    for subtype in catalog.subtypes.values():
        for district in catalog.districts:
            results = {}
            for urgency in ("urgent", "normal"):
                report = {"subtype": subtype.code, "district": district, "urgency": urgency}
                result, matched = evaluate_with_trace({"report": report})
                assert len(matched) == 1, (report, matched)
                assert {result["competent_department"], result["disposal_unit"]} <= set(catalog.departments)
                results[urgency] = result
            assert results["urgent"]["limit_amount"] == max(1, subtype.time_limit.amount // 2)
            assert results["normal"]["limit_amount"] == subtype.time_limit.amount
            assert results["normal"]["limit_unit"] == subtype.time_limit.unit
            disposal_by_district.setdefault(subtype.code, set()).add(results["normal"]["disposal_unit"])
    assert any(len(units) == 3 for units in disposal_by_district.values())  # some subtypes route per district


def test_an_unknown_subtype_matches_nothing() -> None:
    result, matched = evaluate_with_trace({"report": {"subtype": "9999", "district": "350602", "urgency": "normal"}})
    assert (result, matched) == (None, [])
