"""Claims under contention: two department members claiming (or completing) the same task at the same moment,
each through their own client, get exactly one success and one 409; a completion the process refuses leaves the
task as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from api_support import Api, error_of
from werkzeug.test import TestResponse

MEMBERS = ("dept_350602s07_01", "dept_350602s07_02")
DISPOSED = {"disposal": {"outcome": "disposed", "result": "清理完毕"}}


def _at_once(api: Api, call: Callable[[Api, str, object], TestResponse]) -> dict[str, TestResponse]:
    """Run ``call(api, member, client)`` for both members in two threads released together."""
    for member in MEMBERS:
        api.token(member)  # signed in beforehand: only the action races
    barrier, results = threading.Barrier(len(MEMBERS)), {}

    def run(member: str) -> None:
        client = api.app.test_client()
        barrier.wait(timeout=10)
        results[member] = call(api, member, client)

    threads = [threading.Thread(target=run, args=(m,)) for m in MEMBERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert set(results) == set(MEMBERS), "a thread did not finish"
    return results


def _winner(results: dict[str, TestResponse]) -> str:
    """The member who got 200; asserts the other got 409."""
    statuses = {member: r.status_code for member, r in results.items()}
    assert sorted(statuses.values()) == [200, 409], {m: (r.status_code, r.json) for m, r in results.items()}
    loser = next(m for m, s in statuses.items() if s == 409)
    assert error_of(results[loser], 409)["code"] == "conflict"
    return next(m for m, s in statuses.items() if s == 200)


@pytest.mark.parametrize("attempt", range(3))
def test_two_members_claiming_the_same_task_at_once_one_wins(api: Api, attempt: int) -> None:
    task = api.to_disposal(api.new_case())
    results = _at_once(api, lambda a, member, client: a.post(f"/tasks/{task['id']}/claim", member, client=client))
    winner = _winner(results)
    assert results[winner].json["assignee"] == winner
    assert api.get(f"/tasks/{task['id']}", MEMBERS[0]).json["assignee"] == winner
    events = api.get(f"/cases/{task['case_no']}/events", "auditor01").json["events"]
    claims = [e for e in events if e["event_type"] == "task_claimed" and e["task_id"] == task["id"]]
    assert [e["actor"] for e in claims] == [winner]


def test_two_members_completing_the_same_task_at_once_one_wins(api: Api) -> None:
    task = api.to_disposal(api.new_case())
    results = _at_once(api, lambda a, member, client: a.post(f"/tasks/{task['id']}/complete", member,
                                                             {"data": DISPOSED}, client=client))
    winner = _winner(results)
    done = api.get(f"/tasks/{task['id']}", "auditor01").json
    assert done["state"] == "completed" and done["completed_by"] == winner
    checks = api.get(f"/tasks?case_no={task['case_no']}", "auditor01").json["tasks"]
    assert [t["bpmn_id"] for t in checks] == ["check_on_site"]


def test_a_completion_the_process_refuses_does_not_leave_the_task_claimed(api: Api) -> None:
    dispatch = api.to_dispatch(api.new_case())
    override = {"dispatch": {"department": "C01"}}  # no reason: the process's script rejects it
    assert "dispatch.reason" in error_of(api.complete(dispatch["id"], override, "dispatcher01"), 422)["fields"]
    after = api.get(f"/tasks/{dispatch['id']}", "dispatcher01").json
    assert after["state"] == "ready" and after["assignee"] is None
    assert api.post(f"/tasks/{dispatch['id']}/claim", "dispatcher01").status_code == 200  # free to claim
    error_of(api.complete(dispatch["id"], override, "dispatcher01"), 422)
    assert api.get(f"/tasks/{dispatch['id']}", "dispatcher01").json["assignee"] == "dispatcher01"  # kept its claim
    done = api.complete(dispatch["id"], {"dispatch": {"department": "C01", "reason": "市级部门负责"}}, "dispatcher01")
    assert done.status_code == 200, done.json
    assert api.task(dispatch["case_no"], "dispose_problem", "dept_c01_01")["candidate_group"] == "C01"


def test_a_completion_with_invalid_form_data_does_not_claim_the_task(api: Api) -> None:
    task = api.to_disposal(api.new_case())
    refused = api.complete(task["id"], {"disposal": {"outcome": "extension", "reason": "雨天"}}, MEMBERS[0])
    assert "disposal.extension_amount" in error_of(refused, 422)["fields"]
    assert api.get(f"/tasks/{task['id']}", MEMBERS[1]).json["assignee"] is None
    assert api.post(f"/tasks/{task['id']}/claim", MEMBERS[1]).status_code == 200
