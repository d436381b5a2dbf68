"""API tokens expire (GRIDCASE_TOKEN_DAYS), are capped per person, and admins list and revoke them one by one,
through the API and ``gridcase user tokens|revoke``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from auth_support import App, add_accounts
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand, NotFound
from engine.service.accounts import MAX_ACTIVE_TOKENS, list_tokens, resolve_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def url(db_url_engine: tuple[str, Engine]) -> str:
    return db_url_engine[0]


@pytest.fixture
def app(url: str) -> Iterator[App]:
    app = App(url)
    add_accounts(app.bus)
    yield app
    app.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_works_until_it_expires(url: str) -> None:
    app = App(url, GRIDCASE_TOKEN_DAYS="7")
    try:
        add_accounts(app.bus)
        token = app.token("seat").json["token"]
        app.clock.advance(timedelta(days=7) - timedelta(seconds=1))
        assert app.client().get("/api/v1/tasks", headers=_bearer(token)).status_code == 200
        app.clock.advance(seconds=1)
        expired = app.client().get("/api/v1/tasks", headers=_bearer(token))
        assert expired.status_code == 401 and "expired" in expired.json["error"]["message"]
        assert resolve_token(app.bus.deps, token) is None
        (listed,) = list_tokens(app.bus.deps, "seat")
        assert listed.state(app.clock.now()) == "expired" and listed.expires_at == app.clock.now()
    finally:
        app.close()


def test_an_admin_lists_and_revokes_a_persons_tokens(app: App) -> None:
    admin = _bearer(app.token("boss").json["token"])
    first, second = app.token("seat").json["token"], app.token("seat").json["token"]
    app.client().get("/api/v1/tasks", headers=_bearer(first))  # its use is noted
    listed = app.client().get("/api/v1/users/seat/tokens", headers=admin)
    assert listed.status_code == 200
    newest, oldest = listed.json["tokens"]
    assert oldest["last_used_at"] and newest["last_used_at"] is None
    assert {t["state"] for t in listed.json["tokens"]} == {"active"} and first not in listed.text
    assert oldest["expires_at"] == (app.clock.now() + timedelta(days=90)).isoformat()
    revoked = app.client().delete(f"/api/v1/users/seat/tokens/{oldest['id']}", headers=admin)
    assert revoked.status_code == 200
    assert app.client().get("/api/v1/tasks", headers=_bearer(first)).status_code == 401
    assert app.client().get("/api/v1/tasks", headers=_bearer(second)).status_code == 200
    again = app.client().delete(f"/api/v1/users/seat/tokens/{oldest['id']}", headers=admin)
    assert again.status_code == 404 and "token_id" in again.json["error"]["fields"]
    elsewhere = app.client().delete(f"/api/v1/users/seat2/tokens/{newest['id']}", headers=admin)
    assert elsewhere.status_code == 404  # another person's token id is not theirs to revoke
    assert app.client().get("/api/v1/users/nobody/tokens", headers=admin).status_code == 404
    huge = app.client().delete("/api/v1/users/seat/tokens/99999999999999999999", headers=admin)
    assert huge.status_code == 404
    states = [t["state"] for t in app.client().get("/api/v1/users/seat/tokens", headers=admin).json["tokens"]]
    assert states == ["active", "revoked"]


def test_signing_in_again_and_again_keeps_only_the_newest_tokens(app: App) -> None:
    tokens = [app.token("seat").json["token"] for _ in range(MAX_ACTIVE_TOKENS + 2)]
    alive = [t for t in tokens if resolve_token(app.bus.deps, t) is not None]
    assert alive == tokens[2:]
    app.clock.advance(days=31)  # revoked tokens are listed for 30 days, then deleted at the next issue
    app.token("seat")  # and this one revokes the oldest left
    states = [t.state(app.clock.now()) for t in list_tokens(app.bus.deps, "seat")]
    assert states == ["active"] * MAX_ACTIVE_TOKENS + ["revoked"]


def test_a_token_needs_a_lifetime_within_bounds(app: App) -> None:
    for days in (0, -1, 3651, True):
        with pytest.raises(InvalidCommand) as refused:
            app.bus.handle(c.IssueApiToken("seat", "cli", days=days))  # type: ignore[arg-type]
        assert refused.value.field == "days"
    with pytest.raises(NotFound) as missing:
        app.bus.handle(c.RevokeApiToken("nobody", 1))
    assert missing.value.field == "username"


def _gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "user", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_the_command_line_issues_lists_and_revokes_tokens(url: str) -> None:
    app = App(url, clock=FakeClock(datetime.now(UTC)))  # the command line runs on the real clock
    try:
        add_accounts(app.bus)
        issued = _gridcase(url, "token", "camera", "--name", "camera 7", "--days", "30")
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip()
        assert "expires in 30 days" in issued.stderr and resolve_token(app.bus.deps, token) is not None
        other = _gridcase(url, "token", "camera", "--name", "spare").stdout.strip()
        listed = _gridcase(url, "tokens", "camera")
        assert listed.returncode == 0, listed.stderr
        rows = [line.split("\t") for line in listed.stdout.splitlines()]
        assert [(r[1], r[2]) for r in rows] == [("active", "spare"), ("active", "camera 7")]
        assert token not in listed.stdout
        one = _gridcase(url, "revoke", "camera", "--token", rows[1][0])
        assert one.returncode == 0 and resolve_token(app.bus.deps, token) is None
        assert resolve_token(app.bus.deps, other) is not None
        twice = _gridcase(url, "revoke", "camera", "--token", rows[1][0])
        assert twice.returncode == 1 and "no active token" in twice.stderr
        every = _gridcase(url, "revoke", "camera")
        assert every.returncode == 0 and "1 token(s)" in every.stdout and resolve_token(app.bus.deps, other) is None
        for args in (("tokens", "nobody"), ("revoke", "nobody"), ("token", "camera", "--days", "0")):
            refused = _gridcase(url, *args)
            assert refused.returncode == 1 and refused.stderr.startswith("error:"), (args, refused.stderr)
    finally:
        app.close()
