"""One HTTP action, one command, one write transaction: completing a task over the API claims it (when free),
checks its form and completes it in one transaction; a refusal writes nothing. Connections are counted with
SQLAlchemy's pool ``checkout`` event, write transactions by the units of work that may write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from api_support import Api, error_of
from sqlalchemy import event

from engine.persistence.uow import UnitOfWork

DEPT = "dept_350602s07_01"
DISPOSED = {"disposal": {"outcome": "disposed", "result": "清理完毕"}}


@contextmanager
def counted(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Count pool checkouts (connections) and write units of work (transactions that may write) in the block."""
    counts = {"connections": 0, "writes": 0}
    enter = UnitOfWork.__enter__

    def counting_enter(self: UnitOfWork) -> UnitOfWork:
        opened = enter(self)
        counts["writes"] += not self.read_only
        return opened

    def on_checkout(*_: Any) -> None:
        counts["connections"] += 1

    monkeypatch.setattr(UnitOfWork, "__enter__", counting_enter)
    event.listen(api.deps.db, "checkout", on_checkout)
    try:
        yield counts
    finally:
        event.remove(api.deps.db, "checkout", on_checkout)
        monkeypatch.setattr(UnitOfWork, "__enter__", enter)


def _events(api: Api, case_no: str) -> list[dict[str, Any]]:
    return list(api.get(f"/cases/{case_no}/events", "auditor01").json["events"])


def test_completing_a_free_task_is_one_write_transaction(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    task = api.to_disposal(api.new_case())
    api.token(DEPT)  # signed in beforehand: the count is the completion's own
    before = _events(api, task["case_no"])
    with counted(api, monkeypatch) as counts:
        done = api.complete(task["id"], DISPOSED, DEPT)
    assert done.status_code == 200, done.json
    assert done.json["task"]["state"] == "completed" and done.json["task"]["completed_by"] == DEPT
    assert counts["writes"] == 1, counts
    assert counts["connections"] <= 3, counts  # the token's holder, the task (visibility), the command
    new = _events(api, task["case_no"])[len(before):]
    assert [(e["event_type"], e["command"]) for e in new[:2]] == [("task_claimed", "claim_task"),
                                                                  ("task_completed", "complete_task")]
    assert {e["actor"] for e in new[:2]} == {DEPT} and new[0]["task_id"] == new[1]["task_id"] == task["id"]
    assert api.get(f"/tasks/{task['id']}", DEPT).json["assignee"] == DEPT
    verified = api.post(f"/cases/{task['case_no']}/replay/verify", "auditor01").json
    assert verified["verified"], verified["divergence"]  # replay re-runs the claim and the completion as two steps


@pytest.mark.parametrize("data, field", [
    ({"disposal": {"outcome": "extension", "reason": "雨天"}}, "disposal.extension_amount"),  # the schema
    ({"disposal": {"outcome": "disposed", "result": "好了", "evidence": ["ab" * 32]}}, "disposal.evidence"),  # photo
])
def test_a_refused_completion_writes_nothing(api: Api, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any],
                                             field: str) -> None:
    task = api.to_disposal(api.new_case())
    before = _events(api, task["case_no"])
    with counted(api, monkeypatch) as counts:
        refused = api.complete(task["id"], data, DEPT)
    assert field in error_of(refused, 422)["fields"]
    assert counts["writes"] == 1, counts  # the command's transaction, rolled back
    assert _events(api, task["case_no"]) == before
    assert api.get(f"/tasks/{task['id']}", DEPT).json["assignee"] is None


def test_reporting_a_problem_answers_from_one_write_transaction(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.token("seat01")
    with counted(api, monkeypatch) as counts:
        case_no = api.new_case()
    assert counts["writes"] == 1, counts
    assert api.get(f"/cases/{case_no}", "seat01").json["case_no"] == case_no


def test_a_report_of_an_unknown_subtype_is_422_and_starts_nothing(api: Api) -> None:
    external = "unknown-subtype-report"
    error = error_of(api.report("seat01", subtype_code="9999", external_id=external), 422)
    assert list(error["fields"]) == ["subtype_code"]
    again = api.report("seat01", external_id=external)  # nothing was kept under that id
    assert again.status_code == 201, again.json
