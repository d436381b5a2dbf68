"""Shared helpers of the sign-in tests: an app (or two) over one test database with a fake clock, a handful of
accounts (people and machines) and a browser that signs in through the login page with its CSRF token."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from werkzeug.test import TestResponse

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.persistence.db import create_db_engine
from engine.service.bus import MessageBus
from web.app import create_app
from web.settings import Settings

PASSWORD = "correct horse battery"
ACCOUNTS = {"seat": "seat_operator", "seat2": "seat_operator", "boss": "admin", "camera": "vision_worker",
            "feed": "integration", "reader": "auditor"}


def add_accounts(bus: MessageBus) -> None:
    """The accounts of ``ACCOUNTS``, each with ``PASSWORD``."""
    for username, role in ACCOUNTS.items():
        bus.handle(c.AddUser(username, username, role, PASSWORD))


class App:
    """An app over the database at ``url`` with its own engine, bus and fake clock (as a second web process
    would have), configured by GRIDCASE_* ``env``."""

    def __init__(self, url: str, clock: FakeClock | None = None, **env: str) -> None:
        self.clock = clock or FakeClock()
        # settings first: a bad one is refused before an engine (and the profile read at bootstrap) holds a connection
        settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "auth-tests", **env})
        self.db: Engine = create_db_engine(url)
        self.bus: MessageBus = bootstrap(self.db, self.clock)
        try:
            self.app: Flask = create_app(settings, self.bus)
        except BaseException:
            self.db.dispose()
            raise

    def close(self) -> None:
        """Close the app's database connections."""
        self.db.dispose()

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def token(self, username: str, password: str = PASSWORD, **kwargs: Any) -> TestResponse:
        """POST /auth/token."""
        return self.client().post("/api/v1/auth/token", json={"username": username, "password": password}, **kwargs)

    def issue(self, username: str, days: int = 90) -> str:
        """A token issued the operator's way (``gridcase user token``): machine accounts get theirs so."""
        token: str = self.bus.handle(c.IssueApiToken(username, "tests", actor="tests", days=days))
        return token


def csrf_of(page: TestResponse) -> str:
    """The CSRF token of a page (its meta tag or its form's hidden field)."""
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, next_page: str | None = None,
            **kwargs: Any) -> TestResponse:
    """Sign in through the login page (its CSRF token first); the POST's answer."""
    token = csrf_of(client.get("/login", **kwargs))
    form = {"username": username, "password": password, "csrf_token": token}
    if next_page is not None:
        form["next"] = next_page
    return client.post("/login", data=form, **kwargs)
