"""What the assessment's rankings judge, without a database: periods (months, quarters) and their bounds in the
city's zone, lights, the competition rank with ties, credit score and grade."""

from __future__ import annotations

from datetime import timedelta

import pytest

from city.assessment import standings
from engine.domain.errors import InvalidCommand


def test_periods_step_back_across_years() -> None:
    assert standings.previous_periods("garbage_sorting", "2027-02", 3) == ["2026-12", "2027-01", "2027-02"]
    assert standings.previous_periods("property", "2027-Q1", 3) == ["2026-Q3", "2026-Q4", "2027-Q1"]
    assert standings.previous_period("garbage_sorting", "2027-01") == "2026-12"


@pytest.mark.parametrize(("scheme", "period"), [("garbage_sorting", "2027-13"), ("garbage_sorting", "2027-Q1"),
                                                ("property", "2027-Q5"), ("property", "2027-03"),
                                                ("garbage_sorting", "1999-01"), ("garbage_sorting", ""),
                                                ("garbage_sorting", "２０２７-０３"), ("property", "٢٠٢٧-Q1")])
def test_a_period_of_the_wrong_shape_is_refused_naming_period(scheme: str, period: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        standings.check_period(scheme, period)
    assert refused.value.field == "period"


def test_period_bounds_are_the_city_zones_month_or_quarter() -> None:
    start, end = standings.period_bounds("property", "2027-Q4")
    assert (start.date().isoformat(), end.date().isoformat()) == ("2027-10-01", "2028-01-01")
    assert start.utcoffset() == timedelta(hours=8)  # the default city zone, Asia/Shanghai
    start, end = standings.period_bounds("garbage_sorting", "2027-12")
    assert (start.month, end.year, end.month) == (12, 2028, 1)


def test_lights_and_grades_have_their_floors() -> None:
    assert [standings.light(s) for s in (100.0, 90.0, 89.9, 80.0, 79.9, 60.0, 59.9, 0.0, None)] == [
        "green", "green", "yellow", "yellow", "orange", "orange", "red", "red", "grey"]
    assert [standings.grade(s) for s in (100.0, 90.0, 89.9, 75.0, 74.9, 60.0, 59.9)] == [
        "A", "A", "B", "B", "C", "C", "D"]
    assert (standings.credit_score(0.0), standings.credit_score(12.5), standings.credit_score(130.0),
            standings.credit_score(-5.0)) == (100.0, 87.5, 0.0, 100.0)


def test_ties_share_a_rank_and_the_next_skips_unscored_last() -> None:
    rows = [{"code": c, "score": s} for c, s in (("d", None), ("a", 80.0), ("b", 90.0), ("c", 90.0), ("e", 70.0))]
    ranked = standings.rank_rows(rows)
    assert [(r["code"], r["rank"]) for r in ranked] == [("b", 1), ("c", 1), ("a", 3), ("e", 4), ("d", None)]
    assert standings.change(80.0, 82.5) == -2.5 and standings.change(80.0, None) is None
    assert standings.average([80.0, 85.0, 90.5]) == 85.2 and standings.average([]) is None

