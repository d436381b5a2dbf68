"""A signed-in browser for the page tests (the audit, analysis and KPI pages): Flask's test client, carrying the
CSRF token of the last page it read."""

from __future__ import annotations

import re
from typing import Any

from api_support import PASSWORD, Api
from flask.testing import FlaskClient


class Browser:
    """A signed-in test client that sends the CSRF token of the last page it read."""

    def __init__(self, api: Api, username: str) -> None:
        self.client: FlaskClient = api.app.test_client()
        self.token = ""
        self.get("/login")
        response = self.client.post("/login", data={"username": username, "password": PASSWORD,
                                                    "csrf_token": self.token})
        assert response.status_code == 302, response.text

    def get(self, url: str) -> Any:
        response = self.client.get(url)
        found = re.search(r'name="csrf-token" content="([^"]+)"', response.text) or re.search(
            r'name="csrf_token" value="([^"]+)"', response.text)
        if found:
            self.token = found.group(1)
        return response
