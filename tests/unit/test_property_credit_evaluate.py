"""The property credit table's evaluation (物业信用) guarded: a table that fails, overruns its CPU budget or gives
implausible points (not a finite number within ±100) is logged and counts nothing, never raising into the filing
step that asked; the shipped table's points pass through."""

from __future__ import annotations

from pathlib import Path

import pytest

from city.assessment.credit import evaluate, plausible_points
from engine.domain.decisions import load_model

TABLE = (Path(__file__).resolve().parents[2] / "rules" / "property_credit.dmn").read_text("utf-8")
ROW = '<outputEntry id="case_management_out0"><text>2</text>'
CASE = {"source": "case", "subtype": "1203", "score": None}


def _edited(points: str) -> str:
    assert ROW in TABLE
    return TABLE.replace(ROW, f'<outputEntry id="case_management_out0"><text>{points}</text>')


def test_the_shipped_table_gives_its_points() -> None:
    found = evaluate(load_model(TABLE), CASE, "case 1")
    assert found is not None and found[0] == 2.0 and found[1].startswith("物业管理不到位")


@pytest.mark.parametrize("points", ["count(for i in 1..100000000 return i)",  # overruns its CPU budget
                                    "1/0", '"2"', "1000", "-101", "10000000000000000000000000000000000000"])
def test_a_faulty_table_is_logged_and_counts_nothing(points: str, caplog: pytest.LogCaptureFixture) -> None:
    assert evaluate(load_model(_edited(points)), CASE, "case 7") is None
    assert any("case 7" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


@pytest.mark.parametrize(("value", "kept"), [(5, 5.0), (-1.5, -1.5), (100, 100.0), (-100, -100.0), (100.5, None),
                                             (float("nan"), None), (float("inf"), None), (True, None), ("5", None),
                                             (None, None)])
def test_plausible_points(value: object, kept: float | None) -> None:
    assert plausible_points(value) == kept
