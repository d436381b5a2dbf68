"""A locked database holds up no read: while another connection holds the write lock (SQLite) or the token's row
(PostgreSQL), token-authenticated reads answer at once, skipping the note of the token's use; /healthz answers
503 JSON naming the reason when the database does not answer within a second, and shows its counts only to
signed-in admins.

Each request runs in a thread given far longer than it needs (a request that waits for the lock instead never
returns while the lock is held: the app's own lock wait is set to ten minutes here)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from auth_support import App, add_accounts, sign_in
from sqlalchemy.engine import Engine
from werkzeug.test import TestResponse

from engine.persistence.db import create_db_engine
from engine.service.accounts import TOKEN_TOUCH

LIVENESS = 60.0  # seconds a request may take here before the test calls it stuck (it takes milliseconds)


@pytest.fixture
def app(db_url_engine: tuple[str, Engine]) -> Iterator[App]:
    url, db = db_url_engine
    db.dispose()  # the migrating engine's connections: an exclusive SQLite lock waits for every one to close
    app = App(url)
    if url.startswith("sqlite"):  # the app waits ten minutes for a lock: a wait shows as a stuck request
        app.db.dispose()
        app.db = create_db_engine(url, connect_args={"timeout": 600})
        app.bus.deps.db = app.db
    add_accounts(app.bus)
    yield app
    app.close()


def _answered(call: Callable[[], TestResponse]) -> TestResponse:
    """The answer of ``call`` run in a thread; fails when it does not come back within ``LIVENESS``."""
    answers: list[TestResponse] = []
    thread = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    thread.start()
    thread.join(LIVENESS)
    assert not thread.is_alive() and answers, "the request waited for the lock"
    return answers[0]


@contextmanager
def _locked(db: Engine, what: str) -> Iterator[None]:
    """Another connection holds the database's write lock (SQLite; ``what`` = "reads": an exclusive lock taken
    while no other connection is open, so that no new one can even be set up) or, on PostgreSQL, locks the
    api_tokens rows ("writes") or the cases table ("reads")."""
    if what == "reads":
        db.dispose()
    with db.connect() as conn:
        driver: Any = conn.connection.driver_connection
        if db.dialect.name == "sqlite":
            if what == "reads":  # exclusive locking mode: after the first write no reader gets in
                driver.execute("PRAGMA locking_mode = EXCLUSIVE")
            driver.execute("BEGIN IMMEDIATE")
            driver.execute("UPDATE users SET display_name = display_name")
        else:
            conn.exec_driver_sql("SELECT 1 FROM api_tokens FOR UPDATE" if what == "writes"
                                 else "LOCK TABLE cases IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback() if db.dialect.name != "sqlite" else driver.execute("ROLLBACK")
            if db.dialect.name == "sqlite" and what == "reads":
                driver.execute("PRAGMA locking_mode = NORMAL")
                driver.execute("SELECT 1 FROM users").fetchall()  # normal mode takes effect at the next read
            conn.invalidate()  # the pool gets no connection with this one's settings


def _last_used(app: App) -> list[object]:
    with app.db.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT last_used_at FROM api_tokens ORDER BY id")]


def test_reads_with_a_token_do_not_wait_for_the_write_lock(app: App) -> None:
    token = {"Authorization": f"Bearer {app.issue('reader')}"}
    with _locked(app.db, "writes"):
        for path in ("/api/v1/tasks", "/api/v1/audit/cases"):
            answer = _answered(lambda path=path: app.client().get(path, headers=token))  # type: ignore[misc]
            assert answer.status_code == 200, (path, answer.json)
    assert _last_used(app) == [None]  # the note was skipped, not queued
    assert app.client().get("/api/v1/tasks", headers=token).status_code == 200
    assert _last_used(app) != [None]  # noted by the next read once the lock is gone
    app.clock.advance(TOKEN_TOUCH)
    with _locked(app.db, "writes"):
        assert _answered(lambda: app.client().get("/api/v1/tasks", headers=token)).status_code == 200


def test_health_answers_503_json_while_the_database_does_not_answer(app: App) -> None:
    with _locked(app.db, "reads"):
        answer = _answered(lambda: app.client().get("/healthz"))
    assert answer.status_code == 503 and answer.is_json, answer.get_data(as_text=True)[:300]
    assert answer.json["status"] == "unavailable" and "the database" in answer.json["reason"]
    assert _answered(lambda: app.client().get("/healthz")).json["status"] == "ok"


def test_health_shows_counts_to_signed_in_admins_only(app: App) -> None:
    anonymous = app.client().get("/healthz").json
    assert anonymous["status"] == "ok" and "cases" not in anonymous and "pending_timers" not in anonymous
    for username in ("seat", "reader"):
        bearer = {"Authorization": f"Bearer {app.token(username).json['token']}"}
        assert "cases" not in app.client().get("/healthz", headers=bearer).json
    assert "cases" not in app.client().get("/healthz", headers={"Authorization": "Bearer nonsense"}).json
    admin = {"Authorization": f"Bearer {app.token('boss').json['token']}"}
    counted = app.client().get("/healthz", headers=admin).json
    assert counted["cases"] == 0 and counted["pending_timers"] == 0
    browser = app.client()
    assert sign_in(browser, "boss").status_code == 302
    assert browser.get("/healthz").json["cases"] == 0
