"""The job tests' app: the engine over the test database with a fake clock, fixtures deployed, an account per role
and its token, and a Flask app over that bus (``create_app(settings, bus)``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from api_support import PASSWORD
from flask import Flask
from sqlalchemy.engine import Engine
from werkzeug.test import TestResponse

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from web.app import create_app
from web.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
ROLES = {"worker": "integration", "ops": "admin", "reader": "auditor", "camera": "vision_worker",
         "clerk": "seat_operator", "designer": "process_designer"}
TOPICS = [{"topic": "address-check", "lock_duration_ms": 60_000}]


class JobsApi:
    """An app over the test database whose clock the test moves; accounts for each role in ``ROLES``."""

    def __init__(self, url: str, engine: Engine, tmp_path: Path) -> None:
        self.clock = FakeClock()
        self.bus: MessageBus = bootstrap(engine, self.clock, verify_state=True)
        self.bus.handle(c.DeployProcesses(read_sources([FIXTURES]), "tests"))
        self.tokens: dict[str, str] = {}
        for name, role in ROLES.items():
            self.bus.handle(c.AddUser(name, name, role, PASSWORD))
            self.tokens[name] = self.bus.handle(c.IssueApiToken(name, "tests", actor="tests"))
        settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "test",
                                      "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "att")})
        self.app: Flask = create_app(settings, self.bus)
        self.engine = engine

    def post(self, path: str, user: str, body: Any = None) -> TestResponse:
        return self.app.test_client().post(f"/api/v1{path}", json=body,
                                           headers={"Authorization": f"Bearer {self.tokens[user]}"})

    def get(self, path: str, user: str) -> TestResponse:
        return self.app.test_client().get(f"/api/v1{path}", headers={"Authorization": f"Bearer {self.tokens[user]}"})

    def start(self) -> int:
        return int(self.bus.handle(c.StartCase("external_check", {"address": "1 Main St"}, "clerk")).case_id)

    def fetch(self, worker: str, max_jobs: int = 10) -> list[dict[str, Any]]:
        response = self.post("/jobs/fetch-and-lock", "worker", {"worker_id": worker, "max_jobs": max_jobs,
                                                                "topics": TOPICS})
        assert response.status_code == 200, response.json
        found: list[dict[str, Any]] = response.json
        return found

    def sql(self, statement: str, **params: object) -> list[sa.Row]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(statement), params))
