"""Sessions end for real: signing out, or a new password set by an admin, ends every session of the person (a
session cookie copied before still reads nothing); session cookies are Secure over TLS, and a proxy's
X-Forwarded-Proto counts only when GRIDCASE_TRUSTED_PROXIES says it is trusted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_support import App, add_accounts, csrf_of, sign_in
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from engine.domain import commands as c


@pytest.fixture
def url(db_url_engine: tuple[str, Engine]) -> str:
    return db_url_engine[0]


@pytest.fixture
def app(url: str) -> Iterator[App]:
    app = App(url)
    add_accounts(app.bus)
    yield app
    app.close()


def _copy_of(browser: FlaskClient, app: App) -> FlaskClient:
    """Another client holding a copy of ``browser``'s session cookie (what a thief or a shared PC keeps)."""
    cookie = browser.get_cookie("session")
    assert cookie is not None
    thief = app.client()
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(app: App, username: str) -> FlaskClient:
    browser = app.client()
    assert sign_in(browser, username).status_code == 302
    return browser


def test_a_session_cookie_copied_before_signing_out_reads_nothing_after(app: App) -> None:
    browser = _signed_in(app, "seat")
    thief = _copy_of(browser, app)
    assert thief.get("/api/v1/tasks").status_code == 200
    token = csrf_of(browser.get("/login?lang=zh", follow_redirects=True))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/api/v1/tasks").status_code == 401
    assert browser.get("/api/v1/tasks").status_code == 401
    again = _signed_in(app, "seat")  # signing in again makes a new, working session
    assert again.get("/api/v1/tasks").status_code == 200
    assert thief.get("/api/v1/tasks").status_code == 401


def test_signing_out_ends_the_persons_sessions_on_every_device(app: App) -> None:
    office, phone, colleague = _signed_in(app, "seat"), _signed_in(app, "seat"), _signed_in(app, "seat2")
    app.bus.handle(c.EndSessions("seat", actor="seat"))  # what POST /logout sends
    assert office.get("/api/v1/tasks").status_code == 401 and phone.get("/api/v1/tasks").status_code == 401
    assert colleague.get("/api/v1/tasks").status_code == 200  # someone else's sessions are theirs


def test_a_password_reset_by_an_admin_ends_sessions_and_tokens(app: App) -> None:
    browser = _signed_in(app, "seat")
    thief = _copy_of(browser, app)
    bearer = {"Authorization": f"Bearer {app.token('seat').json['token']}"}
    admin = {"Authorization": f"Bearer {app.token('boss').json['token']}"}
    reset = app.client().put("/api/v1/users/seat/password", json={"password": "a brand new one"}, headers=admin)
    assert reset.status_code == 200 and reset.json["revoked_tokens"] == 1 and reset.json["sessions_ended"]
    for client, headers in ((thief, {}), (browser, {}), (app.client(), bearer)):
        assert client.get("/api/v1/tasks", headers=headers).status_code == 401
    assert sign_in(app.client(), "seat", "a brand new one").status_code == 302


def test_sessions_from_before_session_epochs_are_not_honoured(app: App) -> None:
    """A cookie whose user id carries no epoch (made before this change) signs nobody in."""
    client = app.client()
    with client.session_transaction() as session:
        session["_user_id"] = "seat"
        session["_fresh"] = True
    assert client.get("/api/v1/tasks").status_code == 401


def _set_cookies(answer_headers: list[str]) -> str:
    found = [h for h in answer_headers if h.startswith("session=")]
    assert len(found) == 1, answer_headers
    return found[0]


def test_session_cookies_are_secure_over_tls_and_when_told(url: str) -> None:
    plain = App(url)
    add_accounts(plain.bus)
    try:
        over_http = sign_in(plain.client(), "seat")
        assert "Secure" not in _set_cookies(over_http.headers.getlist("Set-Cookie"))
        over_https = sign_in(plain.app.test_client(), "seat", base_url="https://gridcase.example")
        assert "; Secure" in _set_cookies(over_https.headers.getlist("Set-Cookie"))
        forged = sign_in(plain.client(), "seat", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" not in _set_cookies(forged.headers.getlist("Set-Cookie"))  # nobody said to trust it
    finally:
        plain.close()
    for env, headers in (({"GRIDCASE_SECURE_COOKIES": "true"}, {}),
                         ({"GRIDCASE_TRUSTED_PROXIES": "1"}, {"X-Forwarded-Proto": "https"})):
        told = App(url, **env)
        try:
            answer = sign_in(told.client(), "seat2", headers=headers)
            assert "; Secure" in _set_cookies(answer.headers.getlist("Set-Cookie")), env
        finally:
            told.close()
    never = App(url, GRIDCASE_SECURE_COOKIES="false")
    try:
        answer = sign_in(never.app.test_client(), "seat", base_url="https://gridcase.example")
        assert "Secure" not in _set_cookies(answer.headers.getlist("Set-Cookie"))
    finally:
        never.close()


def test_bad_settings_are_refused_naming_the_variable(url: str) -> None:
    for name, value in (("GRIDCASE_SECURE_COOKIES", "sometimes"), ("GRIDCASE_TRUSTED_PROXIES", "-1"),
                        ("GRIDCASE_TRUSTED_PROXIES", "many"), ("GRIDCASE_TOKEN_DAYS", "0"),
                        ("GRIDCASE_TOKEN_DAYS", "99999")):
        with pytest.raises(ValueError, match="invalid GRIDCASE_ setting"):
            App(url, **{name: value})
