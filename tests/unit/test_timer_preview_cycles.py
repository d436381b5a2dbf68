"""The designer's timer preview of cycles (designer/timer_preview.py): the first due time, how often, and the next
occurrences from now as the scheduler walks a timer start event's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from designer.timer_preview import preview_timer

NOW = datetime(2027, 3, 15, 6, 0, tzinfo=UTC)


def test_an_unbounded_monthly_cycle_lists_its_next_starts_from_now() -> None:
    preview = preview_timer("timeCycle", "R/2027-01-01T08:00:00+08:00/P1M", {}, NOW)
    assert (preview["due_at"], preview["repeats"]) == ("2027-01-01T00:00:00+00:00", -1)  # 08:00 in Beijing
    assert preview["next"] == ["2027-04-01T00:00:00+00:00", "2027-05-01T00:00:00+00:00", "2027-06-01T00:00:00+00:00"]


def test_a_bounded_cycle_lists_only_what_is_left() -> None:
    assert preview_timer("timeCycle", "R3/PT1H", {}, NOW)["next"] == [
        "2027-03-15T07:00:00+00:00", "2027-03-15T08:00:00+00:00", "2027-03-15T09:00:00+00:00"]
    assert preview_timer("timeCycle", "R2/2027-01-01T00:00:00Z/P1D", {}, NOW) | {"value": ""} == {
        "value": "", "due_at": "2027-01-01T00:00:00+00:00", "repeats": 2, "next": []}  # both in the past


def test_a_cycle_from_an_expression_is_previewed_for_the_sample_data() -> None:
    preview = preview_timer("timeCycle", "'R2/' + start + '/PT12H'", {"start": "2027-03-16T00:00:00Z"}, NOW)
    assert preview["next"] == ["2027-03-16T00:00:00+00:00", "2027-03-16T12:00:00+00:00"]


@pytest.mark.parametrize("kind", ["timeDate", "timeDuration"])
def test_a_date_or_duration_has_no_next_list(kind: str) -> None:
    expression = "2027-04-01T00:00:00Z" if kind == "timeDate" else "PT2H"
    assert preview_timer(kind, expression, {}, NOW)["next"] == []


def test_a_cycle_without_a_date_or_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="recurring"):
        preview_timer("timeCycle", "'R/every month'", {}, NOW)
