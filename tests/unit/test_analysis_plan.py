"""How an analysis filter's period is split: whole months from the counts, edge days from the facts."""

from __future__ import annotations

from datetime import date

from city.persistence.read.analysis_plan import AnalysisFilter, counts_where, facts_where, month_clauses, plan


def test_a_period_of_whole_months_reads_only_the_counts() -> None:
    how = plan(AnalysisFilter(since=date(2024, 5, 1), until=date(2024, 7, 31)))
    assert (how.months, how.edges, how.facts_only) == (("2024-05", "2024-07"), [], False)


def test_partial_edge_months_are_read_by_day_and_the_months_between_from_the_counts() -> None:
    how = plan(AnalysisFilter(since=date(2024, 5, 3), until=date(2024, 7, 20)))
    assert how.months == ("2024-06", "2024-06")
    assert how.edges == [(date(2024, 5, 3), date(2024, 5, 31)), (date(2024, 7, 1), date(2024, 7, 20))]


def test_days_within_one_month_are_one_edge_and_two_adjacent_partial_months_leave_no_whole_month() -> None:
    assert plan(AnalysisFilter(since=date(2024, 5, 3), until=date(2024, 5, 20))).edges == \
        [(date(2024, 5, 3), date(2024, 5, 20))]
    how = plan(AnalysisFilter(since=date(2024, 5, 3), until=date(2024, 6, 20)))
    assert how.months is None and len(how.edges) == 2


def test_open_ended_periods_and_a_leap_february() -> None:
    assert plan(AnalysisFilter()).months == (None, None)
    assert plan(AnalysisFilter(since=date(2024, 2, 1), until=date(2024, 2, 29))).months == ("2024-02", "2024-02")
    how = plan(AnalysisFilter(until=date(2024, 2, 28)))
    assert how.months == (None, "2024-01") and how.edges == [(date(2024, 2, 1), date(2024, 2, 28))]


def test_a_source_filter_reads_everything_from_the_facts() -> None:
    how = plan(AnalysisFilter(source="history", since=date(2024, 5, 3), until=date(2024, 7, 20)))
    assert how.facts_only and how.months is None and how.edges == []


def test_one_month_is_an_equality_so_the_month_day_index_also_takes_the_day_bounds() -> None:
    assert month_clauses(("2024-05", "2024-05")) == (["month = ?"], ["2024-05"])
    assert month_clauses(("2024-05", "2024-07")) == (["month >= ?", "month <= ?"], ["2024-05", "2024-07"])
    assert month_clauses((None, "2024-07")) == (["month <= ?"], ["2024-07"])
    where, params = facts_where(AnalysisFilter(channel="patrol"), (date(2024, 5, 3), date(2024, 5, 20)))
    assert where == "channel = ? AND month = ? AND day >= ? AND day <= ?"
    assert params == ["patrol", "2024-05", "2024-05-03", "2024-05-20"]


def test_filters_name_the_same_columns_in_both_tables() -> None:
    flt = AnalysisFilter(subtypes=("0601", "0602"), department="350602-D02")
    assert counts_where(flt, ("2024-05", "2024-05"), "c.") == \
        ("c.subtype IN (?, ?) AND c.department = ? AND c.month = ?", ["0601", "0602", "350602-D02", "2024-05"])
    assert facts_where(AnalysisFilter(subtypes=()), (None, None)) == ("1 = 0", [])
