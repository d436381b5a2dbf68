"""Schemathesis against the app's own OpenAPI document: generated requests (valid and invalid) to every operation,
each sent with the token of a role that may call it (``account_for``: a shift lead; an admin for messages, signals,
incidents, accounts, processes, drafts, rules, audit replays and detection records; an integration account — the
external worker — for the job calls), must never get a 5xx, and every operation must get past sign-in.

Path parameters are generated, and then fixed to a real case, task, attachment, process and file so that the
requests reach past the 404s. SQLite only; bounded to a few hundred requests.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_support import Api, png_bytes, seeded_city
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from engine.domain.commands import AddUser
from engine.service.accounts import principal

MAX_EXAMPLES = 25
FIXED_EXAMPLES = 15
# shift leads may not touch these (nor replays); admins may
ADMIN_PATHS = ("/users", "/processes", "/drafts", "/audit", "/vision/detections", "/rules", "/messages", "/signals",
               "/incidents", "/city/calendar", "/admin",
               "/transport/registry",  # the calendar and transport registries: many read them, only admins load them
               "/assessment/registry",  # and the assessment registries (an object's active switch too, below)
               "/open311/keys", "/connectors", "/exchange")  # Open311 keys, connectors, exchange runs: admins'
WORKER, WORKER_PASSWORD = "fuzz_worker", "fuzz-worker-pw"  # an integration account: the only role that works jobs


def account_for(path: str) -> str:
    """The account whose token fuzzes ``path``: one whose role may call it (web/policy.py)."""
    if path.startswith(("/jobs", "/gps")):  # GPS positions: integration accounts (and admins)
        return WORKER
    if path.startswith(ADMIN_PATHS) or "/replay" in path or path == "/assessment/objects/{scheme}/{code}/active":
        return "admin"
    if path.endswith(("/checks", "/findings")):  # a campaign grid's sweep: its collectors (web/policy.py)
        return "collector001"
    if path.startswith("/decoration-works"):  # decoration works: seat operators register and read them
        return "seat01"
    return "shiftlead01"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_city("sqlite", tmp_path_factory)


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    api = Api(city, tmp_path)
    yield api
    api.close()


def _real_ids(api: Api) -> dict[str, str]:
    """A case with an attachment whose filing task waits for the shift lead."""
    case_no = api.new_case()
    api.step(case_no, "verify_report", "collector001", {"verification": {"found": True}})
    upload = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers("seat01"),
                             data={"file": (io.BytesIO(png_bytes()), "p.png")})
    assert upload.status_code == 201, upload.json
    task = api.task(case_no, "file_or_void", "shiftlead01")
    return {"case_no": case_no, "task_id": task["id"], "digest": upload.json["sha256"], "process_id": "case_lifecycle",
            "number": "1", "name": "case_lifecycle.bpmn", "file_name": "case_lifecycle.bpmn"}


def _fuzz(operation: Any, api: Api, examples: int, seen: Counter[tuple[str, int]],
          **strategy_options: Any) -> list[str]:
    """Run ``examples`` generated requests (valid and invalid); the server errors seen, each with its request.
    ``seen`` counts the responses by operation and status."""
    headers = api.headers(account_for(operation.path))
    strategy = st.one_of([operation.as_strategy(generation_mode=mode, **strategy_options)
                          for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)])
    failures: list[str] = []

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        if operation.path != "/auth/token":
            case.headers = {**(case.headers or {}), **headers}
        # sent through a Flask test client (not case.call()) so that file responses are closed
        response = api.client.open(**case.as_transport_kwargs())
        response.get_data()  # read (and kept) before the file is closed
        response.close()
        seen[operation.label, response.status_code] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as exc:  # collected, so that every operation runs and all failures are reported
            failures.append(f"{operation.label} → {response.status_code}: {case.as_curl_command()}\n{exc}")

    run()
    return failures


def test_generated_requests_never_get_a_server_error(api: Api) -> None:
    ids = _real_ids(api)
    api.token("admin")
    if principal(api.deps, WORKER) is None:
        api.bus.handle(AddUser(WORKER, "Fuzz worker", "integration", WORKER_PASSWORD))
    api.token(WORKER, WORKER_PASSWORD)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    assert {"POST /auth/token", "POST /cases", "GET /cases/{case_no}", "GET /cases/{case_no}/events",
            "POST /cases/{case_no}/attachments", "GET /cases/{case_no}/attachments/{digest}", "GET /tasks",
            "GET /tasks/{task_id}", "POST /tasks/{task_id}/claim", "POST /tasks/{task_id}/unclaim",
            "POST /tasks/{task_id}/complete", "POST /messages", "GET /processes", "GET /processes/{process_id}/diff",
            "POST /processes/deploy", "POST /processes/validate", "PUT /drafts/{file_name}"} <= labels, labels
    failures: list[str] = []
    seen: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        failures += _fuzz(operation, api, MAX_EXAMPLES, seen)
        names = {p.name for p in operation.path_parameters}
        if names:
            fixed = {name: ids[name] for name in names if name in ids}
            failures += _fuzz(operation, api, FIXED_EXAMPLES, seen, path_parameters=fixed)
    assert not failures, "\n\n".join(failures[:10])
    assert sum(seen.values()) >= 10 * len(operations)
    reached = {label for (label, status), _ in seen.items() if status not in (401, 403)}
    assert reached == labels, labels - reached  # each token let requests past sign-in and the role check
    # A generated report is refused by ReportProblem, the one check of a report's values (the schema only gives its
    # shape): a random subtype the catalogue does not hold, or a duplicate_of naming no case (422 naming the field),
    # as it is refused from the page and the simulator.
    assert {("POST /cases", 422), ("GET /tasks/{task_id}", 200), ("POST /tasks/{task_id}/complete", 422)} <= set(seen)
