"""Designer lint and deploy accept the BPMN events of issue 17 (tests/fixtures/events): no error on any element of
an event-based gateway, a message-, signal-, timer- or error-started event subprocess, signal and escalation
throws and catches, timer start events; and the occurrences of a timer start event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from designer.lint import lint_sources
from engine.bpmn.specs import parse_bundles
from engine.bpmn.timer_starts import due_starts, occurrences
from engine.service.deploy import read_sources

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
DEPLOYED = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.mark.parametrize("name", sorted(p.name for p in EVENTS.glob("*.bpmn")))
def test_lint_reports_no_error_on_the_event_fixtures(name: str) -> None:
    problems = lint_sources(read_sources([EVENTS / name]))
    assert [p for p in problems if p.severity == "error"] == []


def test_an_event_based_gateway_and_a_message_event_subprocess_are_no_longer_refused() -> None:
    text = (EVENTS / "event_gateway.bpmn").read_text(encoding="utf-8")
    messages = {p.message for p in lint_sources({"g.bpmn": text})}
    assert not any("not supported" in m for m in messages)
    subprocesses = (EVENTS / "event_subprocesses.bpmn").read_text(encoding="utf-8")
    assert not any("not supported" in p.message for p in lint_sources({"s.bpmn": subprocesses}))


def test_deploy_lists_signal_and_timer_starts() -> None:
    bundles = {b.process_id: b for b in parse_bundles(read_sources([EVENTS]))}
    assert bundles["emergency_response"].message_starts == ["signal:emergency"]
    assert bundles["monthly_inspection"].message_starts == ["timer:first_of_the_month"]
    assert bundles["street_works"].message_starts == []


def test_a_monthly_cycle_steps_in_calendar_months_from_its_start() -> None:
    moments = occurrences("R/2027-01-01T08:00:00+08:00/P1M", DEPLOYED)
    assert [next(moments) for _ in range(3)] == [datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC),
                                                 datetime(2027, 3, 1, tzinfo=UTC)]


def test_a_bounded_cycle_counts_from_the_deployment_and_ends() -> None:
    assert list(occurrences("R3/PT1H", DEPLOYED)) == [DEPLOYED.replace(hour=h) for h in (1, 2, 3)]


def test_a_date_starts_once_and_occurrences_before_the_deployment_are_skipped() -> None:
    assert list(occurrences("2027-01-01T08:00:00+08:00", DEPLOYED)) == [datetime(2027, 1, 1, tzinfo=UTC)]
    late = occurrences("R/2026-01-01T00:00:00Z/P1M", DEPLOYED)
    assert next(late) == datetime(2026, 12, 1, tzinfo=UTC)


def test_due_starts_gives_what_is_due_after_the_last_start_and_the_next() -> None:
    now = datetime(2027, 3, 15, tzinfo=UTC)
    due, upcoming = due_starts("R/2027-01-01T00:00:00Z/P1M", DEPLOYED, datetime(2027, 1, 1, tzinfo=UTC), now)
    assert due == [datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)]
    assert upcoming == datetime(2027, 4, 1, tzinfo=UTC)
