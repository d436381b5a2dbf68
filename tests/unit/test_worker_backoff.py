"""The worker client's outcome reports, without a server: what it posts for a return, a BpmnError, failures with a
doubling back-off (capped) until the last retry makes an incident, and a 409 (lock lost) that it leaves alone."""

from __future__ import annotations

from typing import Any

import pytest

from workers.client import ApiRefused, BpmnError, ExternalTaskWorker, Job, JsonClient


class FakeApi(JsonClient):
    """Records each POST; answers 409 for the paths in ``conflicts``."""

    def __init__(self, conflicts: tuple[str, ...] = ()) -> None:
        super().__init__("http://test", "token")
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.conflicts = conflicts

    def post(self, path: str, body: Any) -> Any:
        self.posts.append((path, body))
        if path in self.conflicts:
            raise ApiRefused(409, "locked by another worker")
        return {}


def job(retries: int | None) -> Job:
    return Job(7, 1, "t", "check", "topic", {"a": 1}, retries, "2026-01-01T00:00:00+00:00")


def worker(api: FakeApi, handler: Any) -> ExternalTaskWorker:
    return ExternalTaskWorker("http://test", "token", "w1", retries=3, backoff_ms=1000, max_backoff_ms=3000,
                              client=api).subscribe("topic", handler)


def test_a_return_completes_with_the_variables() -> None:
    api = FakeApi()
    assert worker(api, lambda j: {"b": j.variables["a"] + 1}).handle(job(None)) == "completed"
    assert api.posts == [("/jobs/7/complete", {"worker_id": "w1", "variables": {"b": 2}})]


def test_a_bpmn_error_is_thrown_with_its_code() -> None:
    api = FakeApi()

    def fail(_: Job) -> None:
        raise BpmnError("NOPE", "not found", {"why": "x"})

    assert worker(api, fail).handle(job(None)) == "bpmn-error"
    assert api.posts == [("/jobs/7/bpmn-error", {"worker_id": "w1", "error_code": "NOPE", "error_message": "not found",
                                                 "variables": {"why": "x"}})]


@pytest.mark.parametrize(("retries", "left", "wait", "outcome"), [
    (None, 2, 1000, "failed"), (2, 1, 2000, "failed"), (1, 0, 3000, "incident")])
def test_failures_count_down_with_a_doubling_capped_back_off(retries: int | None, left: int, wait: int,
                                                             outcome: str) -> None:
    api = FakeApi()

    def broken(_: Job) -> None:
        raise TimeoutError("slow")

    assert worker(api, broken).handle(job(retries)) == outcome
    assert api.posts == [("/jobs/7/failure", {"worker_id": "w1", "error_message": "TimeoutError: slow",
                                              "retries": left, "retry_timeout_ms": wait})]


def test_a_lost_lock_is_left_to_the_other_worker() -> None:
    api = FakeApi(conflicts=("/jobs/7/complete",))
    assert worker(api, lambda _: None).handle(job(None)) == "lost"
