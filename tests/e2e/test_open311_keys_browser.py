"""The Open311 api keys' admin page in a real browser (Debian's Chromium): an admin makes a key (shown once), an
app posts a request with it over HTTP, the list shows its prefix and last use, and once the admin revokes it
(ticking the confirmation) the app's next request is refused with the spec's 403 error."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from browser_support import sign_in
from playwright.sync_api import expect

REQUEST = {"service_code": "0601", "lat": "24.51", "long": "117.65", "description": "暴露垃圾"}


def _post(base: str, key: str) -> tuple[int, Any]:
    data = urllib.parse.urlencode({**REQUEST, "api_key": key}).encode()
    request = urllib.request.Request(f"{base}/open311/v2/requests.json", data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_an_admin_makes_and_revokes_an_open311_key(browser: Any, city_server: str) -> None:
    base, name = city_server, f"e2e-app-{uuid.uuid4().hex[:6]}"
    admin = sign_in(browser, base, "admin")
    admin.goto(f"{base}/admin/api-keys")
    form = admin.locator("#create-api-key")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=contact]").fill("dev@app.example")
    form.locator("input[name=per_minute]").fill("30")
    form.locator("button[type=submit]").click()
    key = admin.locator("#new-api-key-value").inner_text().strip()
    assert key.startswith("o311_") and len(key) == 48
    status, answer = _post(base, key)
    assert status == 200 and answer[0]["service_request_id"]
    admin.goto(f"{base}/admin/api-keys")
    row = admin.locator("tr", has_text=name)
    expect(row).to_contain_text(key[:13])
    expect(row).to_contain_text("30")
    assert key not in admin.content()
    row.locator("input[name=confirm]").check()
    row.locator("button[type=submit]").click()
    expect(admin.locator("tr", has_text=name).locator("button")).to_have_count(0)
    status, answer = _post(base, key)
    assert status == 403 and answer[0]["code"] == 403 and "api_key" in answer[0]["description"]
