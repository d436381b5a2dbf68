"""The api keys' admin page and command line on SQLite and PostgreSQL: the page lists keys (prefix, never the key),
makes one (shown once), revokes one only once its box is ticked, and refuses non-admins; ``gridcase open311 keys``
creates, lists and revokes with the same command (a refusal exits 2 naming the field); a server fault under
/open311 is a 500 in the spec's format."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from api_support import PASSWORD, ROOT, Api
from auth_support import csrf_of, sign_in
from open311_support import BASE, errors_of, submit


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "open311", "keys", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_admin_page_makes_lists_and_revokes_keys(api: Api) -> None:
    client = api.client
    signed = sign_in(client, "admin", PASSWORD)
    assert signed.status_code == 302, signed.text[:300]
    page = client.get("/admin/api-keys")
    assert page.status_code == 200
    made = client.post("/admin/api-keys", data={"name": "page-app", "contact": "ops@app.example", "per_minute": "7",
                                                "csrf_token": csrf_of(page)})
    assert made.status_code == 200
    key = re.search(r'id="new-api-key-value">(o311_[A-Za-z0-9_-]{43})<', made.text)
    assert key is not None
    listed = client.get("/admin/api-keys")
    assert key.group(1) not in listed.text and key.group(1)[:13] in listed.text and "page-app" in listed.text
    key_id = next(k["id"] for k in api.get("/open311/keys", "admin").json["keys"] if k["name"] == "page-app")
    unconfirmed = client.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": csrf_of(listed)})
    assert unconfirmed.status_code == 302 and submit(api, key.group(1)).status_code == 200
    client.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": csrf_of(listed), "confirm": "1"})
    assert errors_of(submit(api, key.group(1)), 403)
    other = api.app.test_client()
    sign_in(other, "seat01", PASSWORD)
    assert other.get("/admin/api-keys").status_code == 403


def test_the_command_line_keeps_keys(api: Api) -> None:
    made = _cli(api.url, "create", "--name", "cli-app", "--contact", "cli@app.example", "--per-minute", "5",
                "--as", "admin")
    assert made.returncode == 0, made.stderr
    key = re.search(r"key \(shown once\): (o311_\S{43})", made.stdout)
    assert key is not None and submit(api, key.group(1)).status_code == 200
    rows = json.loads(_cli(api.url, "list", "--json").stdout)
    row = next(r for r in rows if r["name"] == "cli-app")
    assert row["per_minute"] == 5 and key.group(1) not in json.dumps(rows)
    refused = _cli(api.url, "create", "--name", "cli-app", "--contact", "x", "--as", "admin")
    assert refused.returncode == 2 and "name" in refused.stderr + refused.stdout
    assert _cli(api.url, "create", "--name", "n", "--contact", "x", "--as", "seat01").returncode == 2
    assert _cli(api.url, "revoke", str(row["id"]), "--as", "admin").returncode == 0
    assert errors_of(submit(api, key.group(1), "xml"), 403, "xml")


def test_a_server_fault_is_a_500_in_the_spec_format(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_OPEN311_READS_PER_MINUTE", "many")  # a broken setting: the read cannot run
    for fmt in ("json", "xml"):
        assert "internal" in errors_of(api.client.get(f"{BASE}/services.{fmt}"), 500, fmt)[0]
