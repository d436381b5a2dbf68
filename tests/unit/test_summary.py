"""The case summary read from case data, case numbers and the deadline light."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.domain.summary import case_id_from_no, case_no, light, summarise


def test_case_numbers_carry_the_city_date_and_the_id() -> None:
    late_evening_utc = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # already 26 November in Zhangzhou
    assert case_no(123, late_evening_utc) == "20261126000123"
    assert case_id_from_no("20261126000123") == 123
    assert case_id_from_no(case_no(12_345_678, late_evening_utc)) == 12_345_678
    assert case_id_from_no("abc") is None and case_id_from_no("2026") is None


def test_the_summary_takes_the_lifecycle_fields_and_ignores_malformed_ones() -> None:
    data = {"report": {"channel": "hotline", "subtype": "0601", "description": "x" * 900, "district": "350602",
                       "resp_grid": "R1", "unit_grid": "U1", "location": {"lon": 117.6, "lat": 24.5},
                       "urgency": "normal"},
            "department": "350602-D02", "due_at": "2026-11-02T03:00:00+00:00", "warn_at": "not a time",
            "counters": {"reworks": 1}}
    summary = summarise(data)
    assert (summary.channel, summary.subtype, summary.district, summary.department) == (
        "hotline", "0601", "350602", "350602-D02")
    assert len(summary.description or "") == 500
    assert summary.due_at == datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    assert summary.warn_at is None and summary.counters == {"reworks": 1} and summary.evaluation is None
    assert summarise({"report": "nonsense", "department": 5}) == summarise({})


def test_the_light_turns_from_green_to_yellow_to_red() -> None:
    due = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    warn = due - timedelta(minutes=24)
    assert light(due, warn, warn - timedelta(seconds=1), open_=True) == "green"
    assert light(due, warn, warn, open_=True) == "yellow"
    assert light(due, warn, due, open_=True) == "red"
    assert light(due, warn, due, open_=True, suspended=True) == "grey"
    assert light(due, warn, due, open_=False) is None and light(None, None, due, open_=True) is None
