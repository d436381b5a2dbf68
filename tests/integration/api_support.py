"""Shared helpers of the API tests: a seeded city database per backend, an app over it, and a client that
signs demo users in and walks a case to a given task.

The city (demo seed + deployed workflows and rules) is loaded by running the ``gridcase`` command line, as an
operator would, once per test session and backend (``tests/city_template.py``); each test module gets a pristine copy
of it, each test its own app over that copy and its own cases, so tests do not depend on each other (the login
throttle is kept in the database: wrong passwords stay counted).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from city_template import postgres_city, sqlite_city
from databases import pg_url
from flask import Flask
from flask.testing import FlaskClient
from image_support import png_bytes as png_bytes  # the API tests import it from here
from werkzeug.test import TestResponse

from engine.connectors.base import ConnectorSettings
from engine.domain.commands import IssueApiToken
from engine.scheduling.connectors import ConnectorLoop
from engine.service.accounts import principal
from web.app import create_app
from web.live import HUB
from web.live.hub import close_all
from web.policy import SIGN_IN_WITH_PASSWORD, allows
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", "postgres"]
PASSWORD = "gridcase-demo"
POINT = {"lat": 24.51, "lon": 117.65}  # in district 350602
DEPARTMENT = "350602-S07"  # 石亭街道 street office: disposes 0601 暴露垃圾 at POINT (its grid 350602013 is in 石亭街道)
_TOKENS: dict[tuple[str, str], str] = {}  # (database url, username) → bearer token, reused across tests


def seeded_city(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A pristine migrated database holding the demo city and the deployed case lifecycle; yields its URL.

    A copy of the session's seeded template (``tests/city_template.py``): a file copy on SQLite, a database of its
    own made from the template database on PostgreSQL (its URL names that database), dropped after."""
    if backend == "sqlite":
        yield sqlite_city(tmp_path_factory, tmp_path_factory.mktemp("city"))
        return
    with postgres_city(pg_url()) as url:
        try:
            yield url
        finally:
            stop_live_feeds()  # before the database goes: a listener on it would retry and log for ever


def stop_live_feeds(wait: float = 5.0) -> None:
    """Close every live hub of this process and wait for their feed threads to end (the apps the module's tests
    made are done with). A PostgreSQL listener left on a dropped database retries and logs a traceback every few
    seconds; formatting one parses source (``ast``) in that thread, which races with the main thread's own parsing
    on CPython 3.11 ("AST constructor recursion depth mismatch")."""
    close_all()
    deadline = time.monotonic() + wait
    for thread in threading.enumerate():
        if thread.name.startswith("gridcase-live-"):
            thread.join(max(0.0, deadline - time.monotonic()))


class Api:
    """An app over the seeded database and a test client that speaks as demo users."""

    def __init__(self, url: str, tmp_path: Path, **env: str) -> None:
        self.url = url
        settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url, "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "att"),
                                      "GRIDCASE_SECRET_KEY": "test", **env})
        self.app: Flask = create_app(settings)
        self.client: FlaskClient = self.app.test_client()

    @property
    def bus(self) -> Any:
        return self.app.extensions["gridcase.bus"]

    @property
    def deps(self) -> Any:
        return self.bus.deps

    def close(self) -> None:
        """End the app's live feed and close its database connections."""
        self.app.extensions[HUB].close()
        self.deps.db.dispose()

    def token(self, username: str, password: str = PASSWORD) -> str:
        """A bearer token for ``username`` (issued once per database): signed in with the password, or for a
        machine account (which never signs in with one) issued as an operator does (``gridcase user token``)."""
        key = (self.url, username)
        if key not in _TOKENS:
            who = principal(self.deps, username)
            if who is not None and not allows(who, SIGN_IN_WITH_PASSWORD):
                _TOKENS[key] = self.bus.handle(IssueApiToken(username, "tests", actor="tests"))
                return _TOKENS[key]
            response = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
            assert response.status_code == 200, response.json
            _TOKENS[key] = response.json["token"]
        return _TOKENS[key]

    def forget_tokens(self, username: str) -> None:
        """Drop the cached token of ``username`` (after revoking it)."""
        _TOKENS.pop((self.url, username), None)

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def get(self, path: str, user: str, client: FlaskClient | None = None) -> TestResponse:
        return (client or self.client).get(f"/api/v1{path}", headers=self.headers(user))

    def post(self, path: str, user: str, body: Any = None, client: FlaskClient | None = None) -> TestResponse:
        return (client or self.client).post(f"/api/v1{path}", json=body, headers=self.headers(user))

    def report(self, user: str = "seat01", **fields: Any) -> TestResponse:
        """POST /cases: a 0601 暴露垃圾 report by hotline at the test point, overridden by ``fields``."""
        body = {"subtype_code": "0601", "description": "暴露垃圾 on the pavement", **POINT, "channel": "hotline",
                "external_id": f"h-{uuid.uuid4().hex}", **fields}
        return self.post("/cases", user, {k: v for k, v in body.items() if v is not None})

    def new_case(self, user: str = "seat01", **fields: Any) -> str:
        """Report a case; its number."""
        response = self.report(user, **fields)
        assert response.status_code == 201, response.json
        return str(response.json["case_no"])

    def task(self, case_no: str, bpmn_id: str, user: str) -> dict[str, Any]:
        """The ready task ``bpmn_id`` of the case, as ``user`` sees it in their list."""
        response = self.get(f"/tasks?case_no={case_no}", user)
        assert response.status_code == 200, response.json
        found = [t for t in response.json["tasks"] if t["bpmn_id"] == bpmn_id]
        assert len(found) == 1, (bpmn_id, response.json)
        return found[0]

    def complete(self, task_id: str, data: dict[str, Any], user: str) -> TestResponse:
        return self.post(f"/tasks/{task_id}/complete", user, {"data": data})

    def step(self, case_no: str, bpmn_id: str, user: str, data: dict[str, Any]) -> TestResponse:
        """Complete the case's ready task ``bpmn_id`` as ``user``; asserts 200."""
        response = self.complete(self.task(case_no, bpmn_id, user)["id"], data, user)
        assert response.status_code == 200, response.json
        ConnectorLoop(self.bus, ConnectorSettings()).run_once()  # the lifecycle's notify steps, as the scheduler
        return response

    def to_dispatch(self, case_no: str) -> dict[str, Any]:
        """Verify and file the case; the dispatcher's ready task."""
        self.step(case_no, "verify_report", "collector001", {"verification": {"found": True}})
        self.step(case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
        return self.task(case_no, "confirm_dispatch", "dispatcher01")

    def to_disposal(self, case_no: str) -> dict[str, Any]:
        """Verify, file and dispatch the case; the department's ready disposal task."""
        self.to_dispatch(case_no)
        self.step(case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {}})
        return self.task(case_no, "dispose_problem", "dept_350602s07_01")


def error_of(response: TestResponse, status: int) -> dict[str, Any]:
    """Assert the status and the error document's shape; the error body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.json
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert body["error"]["message"] and body["error"]["code"], body
    return dict(body["error"])


def rows(api: Api, statement: str, **params: Any) -> list[sa.Row[Any]]:
    """The rows ``statement`` reads from the app's database (a read for the assertions)."""
    with api.deps.db.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def case_id(api: Api, case_no: str) -> int:
    """The id of the case numbered ``case_no``."""
    with api.deps.db.connect() as conn:
        return int(conn.execute(sa.text("SELECT case_id FROM case_summaries WHERE case_no = :no"),
                                {"no": case_no}).scalar_one())
