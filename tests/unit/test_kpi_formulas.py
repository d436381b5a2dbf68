"""KPI formulas against hand-computed small cases: every count and indicator, suspended and reworked cases,
month edges in city time, the working-time limit edge, zero denominators, composite and ranks, settings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from city.facts.model import CaseFacts
from city.kpi.config import RoleLimit, parse_config
from city.kpi.formulas import (
    BY_KEY,
    UNIT_COUNTS,
    add_counts,
    composite,
    department_counts,
    indicators_of,
    normalised,
    overdue_open,
    ranks,
    role_counts,
    unit_counts,
    value_of,
)
from city.kpi.report import within
from engine.domain.errors import InvalidCommand
from engine.domain.periods import parse_period
from web.settings import Settings

CST = ZoneInfo("Asia/Shanghai")
OCT = parse_period("2026-10")
CUT = OCT.end
CONFIG_TEXT = (Path(__file__).resolve().parents[2] / "config" / "kpi.yaml").read_text(encoding="utf-8")
WT = Settings.from_env().working_time()


def t(day: int, hour: float = 10, month: int = 10) -> datetime:
    """A moment of 2026 in city time (hour may have a fraction)."""
    return datetime(2026, month, day, int(hour), round(hour % 1 * 60), tzinfo=CST)


def case(**kw: object) -> CaseFacts:
    counters = kw.pop("counters", {})
    base = {"reported_at": t(12, 9), "department": "D1", "channel": "hotline"}
    return CaseFacts(**{**base, **kw}, counters=counters)  # type: ignore[arg-type]


def dispatched(**kw: object) -> CaseFacts:
    """Filed and dispatched on the 12th, due on the 14th at 10:00."""
    return case(filed_at=t(12, 9.5), dispatched_at=t(12, 10), due_at=t(14, 10), **kw)


def closed(**kw: object) -> CaseFacts:
    return dispatched(**{"disposed_at": t(13), "checked_at": t(13, 15), "closed_at": t(13, 16), "result": "closed",
                         **kw})


def on(counts: dict[str, int]) -> set[str]:
    return {k for k, v in counts.items() if v}


def test_month_in_city_time() -> None:
    assert OCT.start == datetime(2026, 9, 30, 16, tzinfo=ZoneInfo("UTC"))
    assert OCT.end == t(1, 0, 11) and OCT.months == ("2026-10", "2026-10")
    assert unit_counts(case(reported_at=t(1, 0)), OCT, CUT)["cases"] == 1  # 00:00 on the 1st, city time
    assert unit_counts(case(reported_at=datetime(2026, 9, 30, 23, 59, tzinfo=CST)), OCT, CUT)["cases"] == 0
    assert unit_counts(case(reported_at=t(1, 0, 11)), OCT, CUT)["cases"] == 0  # the next month's first moment
    december = parse_period("2026-12")
    assert december.end == datetime(2027, 1, 1, tzinfo=CST)


def test_day_ranges_include_both_days() -> None:
    period = parse_period("2026-10-30..2026-11-02")
    assert period.start == t(30, 0) and period.end == t(3, 0, 11) and period.months == ("2026-10", "2026-11")
    assert period.as_of(t(1, 12, 11)) == t(1, 12, 11)  # a running period is judged now


@pytest.mark.parametrize("text", ["2026-13", "2026/10", "", "2026-10-05..2026-10-01", "2026-02-30..2026-03-01",
                                  "1999-01"])
def test_bad_periods_name_the_field(text: str) -> None:
    with pytest.raises(InvalidCommand) as err:
        parse_period(text)
    assert err.value.field == "period"


def test_closed_on_time() -> None:
    assert on(unit_counts(closed(closed_on_time=True), OCT, CUT)) == {
        "cases", "dispatched", "due_disposal", "disposed", "disposed_on_time", "due_closing", "closed",
        "closed_on_time"}


def test_late_reworked_extended_returned() -> None:
    late = dispatched(disposed_at=t(15), closed_at=t(16), result="closed", closed_on_time=False,
                      counters={"reworks": 1, "extensions": 1, "returns": 1, "wrong_dispatches": 1})
    assert on(unit_counts(late, OCT, CUT)) == {"cases", "dispatched", "due_disposal", "disposed", "extended",
                                               "returned", "due_closing", "closed", "reworked"}


def return_rates(*cases: CaseFacts, as_of: datetime = CUT) -> dict[str | None, tuple[int, int, float | None]]:
    """department → (returned, dispatched, 回退率) at the department level over ``cases``."""
    totals: dict[str | None, dict[str, int]] = {}
    for f in cases:
        for department, counts in department_counts(f, OCT, as_of).items():
            add_counts(totals.setdefault(department, {}), counts)
    return {d: (c["returned"], c["dispatched"], value_of(BY_KEY["return_rate"], c)) for d, c in totals.items()}


def test_a_return_is_charged_to_the_department_that_sent_the_case_back() -> None:
    # A was dispatched the case and sent it back (not theirs); B, dispatched next, disposed of it
    sent_back = closed(department="B", returned_by="A", counters={"returns": 1, "wrong_dispatches": 1})
    assert return_rates(sent_back) == {"A": (1, 1, 1.0), "B": (0, 1, 0.0)}
    assert department_counts(sent_back, OCT, CUT)["A"] == {**dict.fromkeys(UNIT_COUNTS, 0), "dispatched": 1,
                                                           "returned": 1}
    assert on(department_counts(sent_back, OCT, CUT)["B"]) == on(unit_counts(sent_back, OCT, CUT)) - {"returned"}
    assert unit_counts(sent_back, OCT, CUT)["returned"] == 1  # districts and streets: returned at least once
    # with a case of its own that it disposed of, A returned one of the two it was dispatched: 1/2
    assert return_rates(sent_back, closed(department="A"))["A"] == (1, 2, 0.5)


def test_a_department_that_got_back_the_case_it_returned_is_charged_once() -> None:
    again = closed(department="A", returned_by="A", counters={"returns": 1})
    assert return_rates(again) == {"A": (1, 1, 1.0)}
    legacy = closed(department="B", counters={"returns": 1})  # the returner unknown: the final department's
    assert return_rates(legacy) == {"B": (1, 1, 1.0)}


def test_a_return_is_charged_only_for_a_case_dispatched_and_returned_by_the_cut_off() -> None:
    not_returned = closed(department="B", returned_by="A")  # no return counted: nothing to charge
    assert return_rates(not_returned) == {"B": (0, 1, 0.0)}
    later = case(department="B", returned_by="A", dispatched_at=t(2, 10, 11), counters={"returns": 1})
    assert return_rates(later) == {"B": (0, 0, None)}
    assert department_counts(closed(reported_at=t(12, 9, 9), returned_by="A", counters={"returns": 1}),
                             OCT, CUT) == {"D1": dict.fromkeys(UNIT_COUNTS, 0)}  # reported in September


def test_disposed_exactly_at_the_deadline_is_on_time() -> None:
    assert unit_counts(dispatched(disposed_at=t(14, 10)), OCT, CUT)["disposed_on_time"] == 1
    assert unit_counts(dispatched(disposed_at=t(14, 10.02)), OCT, CUT)["disposed_on_time"] == 0


def test_closed_without_verdict_falls_back_to_disposal_on_time() -> None:
    assert unit_counts(closed(), OCT, CUT)["closed_on_time"] == 1
    assert unit_counts(closed(disposed_at=t(15), closed_at=t(15, 12)), OCT, CUT)["closed_on_time"] == 0


def test_suspended_cases_leave_the_closing_indicators() -> None:
    counts = unit_counts(closed(counters={"suspensions": 1, "reworks": 1}), OCT, CUT)
    assert on(counts) == {"cases", "dispatched", "due_disposal", "disposed", "disposed_on_time"}


def test_not_yet_due_and_not_dispatched() -> None:
    soon = case(dispatched_at=t(31, 10), due_at=t(3, 10, 11))
    assert on(unit_counts(soon, OCT, CUT)) == {"cases", "dispatched"}
    assert on(unit_counts(case(result="voided", filed_at=t(12, 10), void_reason="invalid"), OCT, CUT)) == {"cases"}


def test_state_is_taken_at_the_cut_off() -> None:
    later = dispatched(disposed_at=t(2, 10, 11), closed_at=t(3, 10, 11), result="closed")
    assert on(unit_counts(later, OCT, CUT)) == {"cases", "dispatched", "due_disposal", "due_closing"}
    assert overdue_open(later, CUT)
    assert not overdue_open(later, t(2, 11, 11))  # reported back by then
    assert overdue_open(dispatched(), CUT) and not overdue_open(dispatched(), t(14, 9))  # before the deadline
    assert not overdue_open(case(due_at=t(14), result="voided", dispatched_at=t(12)), CUT)
    assert overdue_open(dispatched(reported_at=t(10, 9, 9)), CUT)  # any month's running case


def test_rates_and_zero_denominators() -> None:
    counts = {"disposed": 3, "due_disposal": 4, "reworked": 1, "due_closing": 0, "overdue_open": 2}
    assert value_of(BY_KEY["disposal_rate"], counts) == 0.75
    assert value_of(BY_KEY["rework_rate"], counts) is None
    assert value_of(BY_KEY["overdue_open"], counts) == 2.0
    assert value_of(BY_KEY["valid_report_rate"], {}) is None


def test_normalising_and_composite() -> None:
    assert normalised(BY_KEY["rework_rate"], 0.25, 0) == 0.75
    assert normalised(BY_KEY["overdue_open"], 1.0, 4.0) == 0.75
    assert normalised(BY_KEY["overdue_open"], 0.0, 0.0) == 1.0
    weights = {"disposal_rate": 1, "rework_rate": 1, "overdue_open": 2, "closing_rate": 5}
    values = {"disposal_rate": 0.5, "rework_rate": 0.25, "overdue_open": 1.0, "closing_rate": None}
    assert composite(values, weights, {"overdue_open": 4.0}) == 68.75  # (0.5 + 0.75 + 2 × 0.75) / 4
    assert composite(dict.fromkeys(weights), weights, {}) is None
    assert composite({"disposal_rate": 0.5}, {"disposal_rate": 0}, {}) is None  # weight 0: shown, not scored
    assert composite({"overdue_open": 0.0}, weights, {"overdue_open": 3.0}) is None  # a count alone: no score
    worst = {"overdue_open": 3.0, "rework_rate": 0.0}
    assert composite(worst, weights, {"overdue_open": 3.0}) == 33.33  # (1 × 1 + 2 × 0) / 3


def test_competition_ranks() -> None:
    assert ranks([50.0, None, 70.0, 50.0, 10.0]) == [2, None, 1, 2, 4]
    assert ranks([]) == []


def test_levels() -> None:
    assert [i.key for i in indicators_of("collector")] == ["valid_report_rate", "on_time_verify_rate",
                                                            "on_time_check_rate"]
    assert len(indicators_of("street")) == 8
    with pytest.raises(InvalidCommand) as err:
        indicators_of("city")
    assert err.value.field == "level"


LIMITS = {"verify": RoleLimit(1, "working_hours"), "dispatch": RoleLimit(0.5, "working_hours"),
          "check": RoleLimit(2, "natural_hours")}


def judge(start: datetime, end: datetime, step: str) -> bool:
    return within(start, end, LIMITS[step], WT)


def test_working_time_limit_edge() -> None:
    # Friday 16 Oct 17:00 → Monday 19 Oct 08:30: half an hour each side of the weekend = exactly 1 working hour.
    assert judge(t(16, 17), t(19, 8.5), "verify")
    assert not judge(t(16, 17), datetime(2026, 10, 19, 8, 30, 1, tzinfo=CST), "verify")
    assert judge(t(12, 11.9), t(12, 14.8), "dispatch")  # 6 min before lunch + 18 min after it
    assert not judge(t(16, 17), t(19, 8.5), "check")  # natural hours: a weekend counts
    assert judge(t(16, 17), t(16, 19), "check")


def test_role_counts() -> None:
    roles = {"verifier": "col1", "dispatcher": "dis1", "checker": "col2"}
    mine = closed(channel="patrol", reporter="col1", verified_at=t(12, 9.5), counters={"returns": 1})
    counts = role_counts(mine, roles, OCT, CUT, judge)
    assert on(counts["col1"]) == {"decided_reports", "valid_reports", "verified", "verified_on_time"}
    assert on(counts["dis1"]) == {"dispatches", "dispatched_on_time"}  # a return: not accurate
    assert on(counts["col2"]) == {"checked"}  # 13th 10:00 → 15:00 is 5 natural hours


def test_reports_voided_count_against_the_collector_unless_out_of_scope() -> None:
    invalid = case(channel="patrol", reporter="c", filed_at=t(12, 10), result="voided", void_reason="invalid")
    elsewhere = case(channel="census", reporter="c", filed_at=t(12, 10), result="voided", void_reason="out_of_scope")
    hotline = case(channel="hotline", reporter="c", filed_at=t(12, 10))
    assert role_counts(invalid, {}, OCT, CUT, judge)["c"]["decided_reports"] == 1
    assert role_counts(invalid, {}, OCT, CUT, judge)["c"]["valid_reports"] == 0
    assert role_counts(elsewhere, {}, OCT, CUT, judge) == {}
    assert role_counts(hotline, {}, OCT, CUT, judge) == {}
    assert role_counts(case(reported_at=t(12, 10, 9), channel="patrol", reporter="c", filed_at=t(12, 11, 9)),
                       {}, OCT, CUT, judge) == {}


def test_settings_file() -> None:
    config = parse_config(CONFIG_TEXT)
    assert set(config.weights) == set(BY_KEY) and config.limits["verify"] == RoleLimit(1.0, "working_hours")
    assert parse_config(CONFIG_TEXT).sha256 == config.sha256
    assert config.texts["disposal_rate"]["zh"] == "处置率"


@pytest.mark.parametrize(("edit", "field"), [
    (("weight: 25", "weight: -1"), "indicators.disposal_rate.weight"),
    (("unit: working_hours}      # 核实", "unit: fortnights}  # 核实"), "role_limits.verify.unit"),
    (("  disposal_rate:\n", "  disposal_speed:\n"), "indicators.disposal_speed"),
    (("indicators:", "indicators: 3\nx:"), "indicators"),
    (("indicators:", "indicators: [\n"), "file"),
    (("  check: {amount: 2,", "  check: {amount: 0,"), "role_limits.check.amount"),
])
def test_bad_settings_name_the_field(edit: tuple[str, str], field: str) -> None:
    assert edit[0] in CONFIG_TEXT
    with pytest.raises(InvalidCommand) as err:
        parse_config(CONFIG_TEXT.replace(edit[0], edit[1], 1))
    assert err.value.field == field
