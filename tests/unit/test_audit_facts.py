"""What a step did to a case's data, as audit records (engine.domain.audit.facts): the per-field changes and
the handbook facts read from the lifecycle's well-known fields (deadline, 延期, 挂账/恢复, 结案, 作废)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.domain import events as ev
from engine.domain.audit.facts import data_changes, fact_records, flatten

DUE = "2026-11-02T03:00:00+00:00"
LATER = "2026-11-02T07:30:00+00:00"
COUNTERS = {"reworks": 0, "returns": 0, "extensions": 0, "suspensions": 0, "overdue": 0}


def dispatched(**overrides: Any) -> dict[str, Any]:
    """A dispatched lifecycle case's data; override any field."""
    return {"report": {"subtype": "0601", "location": {"lon": 117.65, "lat": 24.51}}, "department": "350602-D02",
            "due_at": DUE, "counters": dict(COUNTERS), "suspensions": [], **overrides}


def facts(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(r.event_type, r.data) for r in fact_records(before, after)]


def test_flatten_names_nested_fields_by_dotted_path() -> None:
    flat = flatten({"report": {"location": {"lon": 1.5}, "evidence": ["a.jpg"]}, "empty": {}, "n": None})
    assert flat == {"report.location.lon": 1.5, "report.evidence": ["a.jpg"], "empty": {}, "n": None}


def test_data_changes_lists_added_changed_and_removed_fields_only() -> None:
    before = {"report": {"subtype": "0601", "urgency": "normal"}, "gone": 1, "same": [1, 2]}
    after = {"report": {"subtype": "0602", "urgency": "normal"}, "new": {"at": DUE}, "same": [1, 2]}
    assert data_changes(before, after) == {"gone": [1, None], "new.at": [None, DUE],
                                           "report.subtype": ["0601", "0602"]}
    assert list(data_changes(before, after)) == sorted(data_changes(before, after))  # stable order
    assert data_changes(after, after) == {}


def test_a_list_that_changed_is_one_change() -> None:
    assert data_changes({"evidence": ["a"]}, {"evidence": ["a", "b"]}) == {"evidence": [["a"], ["a", "b"]]}


def test_no_change_no_records() -> None:
    assert fact_records(dispatched(), dispatched()) == []


def test_every_change_is_recorded_first_as_data_changed() -> None:
    records = facts({"report": {"subtype": "0601"}}, {"report": {"subtype": "0601"}, "filing": {"decision": "file"}})
    assert records == [(ev.DATA_CHANGED, {"changes": {"filing.decision": [None, "file"]}})]


def test_the_first_deadline_is_set_and_a_later_one_moves_it() -> None:
    before = dispatched(due_at=None)
    assert facts(before, dispatched())[1:] == [(ev.DEADLINE_SET, {"after": DUE})]
    assert facts(dispatched(), dispatched(due_at=LATER))[1:] == [(ev.DEADLINE_MOVED, {"before": DUE, "after": LATER})]
    assert facts(dispatched(), dispatched(due_at=None))[1:] == []  # a cleared deadline is a data change only


def test_an_approved_extension_is_granted_with_its_new_deadline() -> None:
    after = dispatched(due_at=LATER, counters={**COUNTERS, "extensions": 1})
    assert facts(dispatched(), after)[1:] == [(ev.EXTENSION_GRANTED, {"due_at": LATER}),
                                              (ev.DEADLINE_MOVED, {"before": DUE, "after": LATER})]


def test_a_refused_extension_grants_nothing() -> None:
    after = dispatched(extension_review={"approved": False})
    assert [kind for kind, _ in facts(dispatched(), after)] == [ev.DATA_CHANGED]


def test_suspension_and_resumption() -> None:
    suspended = dispatched(counters={**COUNTERS, "suspensions": 1}, suspended_at="2026-11-02T02:00:00+00:00")
    assert facts(dispatched(), suspended)[1:] == [(ev.CASE_SUSPENDED, {"at": "2026-11-02T02:00:00+00:00"})]
    resumed = {**suspended, "suspensions": [["2026-11-02T02:00:00+00:00", "2026-11-02T07:00:00+00:00"]]}
    assert facts(suspended, resumed)[1:] == [(ev.CASE_RESUMED, {"at": "2026-11-02T07:00:00+00:00"})]


@pytest.mark.parametrize(("evaluation", "fact"), [
    ({"result": "closed", "close_type": "normal", "on_time": True},
     (ev.CASE_CLOSED, {"close_type": "normal", "on_time": True})),
    ({"result": "voided", "void_reason": "duplicate"}, (ev.CASE_VOIDED, {"reason": "duplicate"})),
])
def test_closing_and_voiding(evaluation: dict[str, Any], fact: tuple[str, dict[str, Any]]) -> None:
    ended = dispatched(evaluation=evaluation)
    assert facts(dispatched(), ended)[1:] == [fact]
    assert facts(ended, {**ended, "note": "read again"})[1:] == []  # once, not on every later change


def test_malformed_fact_fields_are_data_changes_only() -> None:
    odd = dispatched(counters="none", evaluation=["closed"], suspensions="many")
    assert [kind for kind, _ in facts(dispatched(), odd)] == [ev.DATA_CHANGED]
