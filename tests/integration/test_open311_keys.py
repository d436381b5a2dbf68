"""Open311 api keys and limits on SQLite and PostgreSQL: a missing, unknown or revoked key is 403; a key's POSTs
and an address's reads are counted in the database (two app instances share the count), 429 with Retry-After in
the spec's error format; hostile input is a 400 in that format, never a 500; a POST's case is on channel open311
with a token row, and only the keys' admins manage keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, rows
from open311_support import BASE, errors_of, make_key, submit


@pytest.fixture
def o311(city: str, tmp_path: Path) -> Iterator[Api]:
    api = Api(city, tmp_path, GRIDCASE_MAX_UPLOAD_MB="0.5")
    yield api
    api.close()


def test_a_post_starts_an_open311_case_with_a_token(o311: Api) -> None:
    made = make_key(o311)
    answer = submit(o311, made["key"]).json[0]
    found = rows(o311, "SELECT r.origin, r.token, r.api_key_id, r.phone, r.updates, f.channel, c.started_by"
                       " FROM citizen_reports r JOIN case_facts f ON f.case_id = r.case_id"
                       " JOIN cases c ON c.id = r.case_id WHERE f.case_no = :no", no=answer["service_request_id"])
    assert len(found) == 1
    origin, token, key_id, phone, updates, channel, started_by = found[0]
    assert (origin, token, key_id, phone, updates) == ("open311", answer["token"], made["id"], "111111111", "email")
    assert channel == "open311"
    assert started_by == f"public:open311:{made['id']}"
    used = o311.get("/open311/keys", "admin").json["keys"]
    assert next(k for k in used if k["id"] == made["id"])["last_used_at"] is not None
    second = submit(o311, made["key"]).json[0]  # no idempotency in the spec: a retry is a second request
    assert second["service_request_id"] != answer["service_request_id"]


def test_a_keys_times_are_stored_as_every_other_time(o311: Api) -> None:
    """Created, last used and revoked: stored as the database keeps times (SQLite: naive UTC text, which it
    compares as text), the same shape as a report's ``created_at`` written beside them."""
    made = make_key(o311)
    submit(o311, made["key"])
    assert o311.post(f"/open311/keys/{made['id']}/revoke", "admin").status_code == 200
    (times,) = rows(o311, "SELECT k.created_at, k.last_used_at, k.revoked_at, r.created_at FROM api_keys k"
                          " JOIN citizen_reports r ON r.api_key_id = k.id WHERE k.id = :id", id=made["id"])
    shape = type(times[3]), len(str(times[3]))
    assert [(type(value), len(str(value))) for value in times[:3]] == [shape] * 3, times


def test_missing_unknown_and_revoked_keys_are_403(o311: Api) -> None:
    made = make_key(o311)
    assert "api_key" in errors_of(submit(o311, None), 403)[0]
    assert "api_key" in errors_of(submit(o311, made["key"] + "x"), 403)[0]
    revoked = o311.post(f"/open311/keys/{made['id']}/revoke", "admin")
    assert revoked.status_code == 200 and revoked.json["revoked_at"] is not None
    assert "api_key" in errors_of(submit(o311, made["key"], "xml"), 403, "xml")[0]
    assert o311.post(f"/open311/keys/{made['id'] + 10_000}/revoke", "admin").status_code == 404


def test_only_admins_keep_keys_and_keys_are_never_listed(o311: Api) -> None:
    made = make_key(o311)
    assert made["key"].startswith("o311_") and len(made["key"]) == 48
    listed = o311.get("/open311/keys", "admin")
    assert made["key"] not in listed.text and made["key"][:13] in listed.text  # the prefix o311_ + 8 characters
    assert o311.get("/open311/keys", "seat01").status_code == 403
    assert o311.post("/open311/keys", "seat01", {"name": "x", "contact": "y"}).status_code == 403
    bad = o311.post("/open311/keys", "admin", {"name": "", "contact": "y"})
    assert bad.status_code == 422 and "name" in bad.json["error"]["fields"]
    again = o311.post("/open311/keys", "admin", {"name": made["name"], "contact": "y"})
    assert again.status_code == 409 and "name" in again.json["error"]["fields"]


def test_a_keys_posts_are_counted_across_app_instances(o311: Api, city: str, tmp_path: Path) -> None:
    made = make_key(o311, per_minute=2)
    other = Api(city, tmp_path / "other")
    try:
        answers = [submit(app, made["key"]) for app in (o311, other) * 3]  # 6 posts: two windows allow 4 at most
    finally:
        other.close()
    refused = [a for a in answers if a.status_code == 429]
    assert refused and all(a.status_code in (200, 429) for a in answers)
    assert int(refused[0].headers["Retry-After"]) > 0
    assert "too many" in errors_of(refused[0], 429)[0]


def test_reads_are_counted_by_address(o311: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_OPEN311_READS_PER_MINUTE", "2")
    answers = [o311.client.get(f"{BASE}/services.xml", environ_base={"REMOTE_ADDR": "10.9.8.7"}) for _ in range(5)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused and "too many" in errors_of(refused[0], 429, "xml")[0]
    assert refused[0].headers["Retry-After"].isdigit()
    other = o311.client.get(f"{BASE}/services.json", environ_base={"REMOTE_ADDR": "10.9.8.6"})
    assert other.status_code == 200


@pytest.mark.parametrize("changes, field", [
    ({"description": "x" * 2001}, "description"),
    ({"lat": "٢٤.٥١"}, "lat"),
    ({"lat": "1e400"}, "lat"),
    ({"long": "1" * 5000}, "long"),
    ({"lat": "91"}, "lat"),
    ({"email": "no-at-sign"}, "email"),
    ({"email": "x@localhost"}, "email"),  # the outbox cannot send it: every later update would fail
    ({"phone": "call me ☎"}, "phone"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"service_code": "0" * 5000}, "service_code"),
    ({"description": "a\x00b"}, "description"),
    ({"description": "a\x01b"}, "description"),
    ({"address_string": "left\u202eright"}, "address_string"),
])
def test_hostile_form_input_is_a_400_naming_the_parameter(o311: Api, changes: dict[str, str], field: str) -> None:
    key = make_key(o311)["key"]
    for fmt in ("json", "xml"):
        found = errors_of(submit(o311, key, fmt, **changes), 400, fmt)
        assert any(field in text for text in found), found


def test_hostile_json_bodies(o311: Api) -> None:
    key = make_key(o311)["key"]
    url = f"{BASE}/requests.json"
    base = {"api_key": key, "service_code": "0601", "lat": 24.51, "long": 117.65}
    assert o311.client.post(url, json=base).status_code == 200  # JSON bodies work too, numbers as numbers
    cases = [(json.dumps({**base, "lat": [1]}), "lat"), (json.dumps({**base, "description": {"a": 1}}), "description"),
             (f'{{"api_key": "{key}", "service_code": "0601", "lat": {"9" * 5000}, "long": 1}}', "JSON"),
             (f'{{"lat": 1e400, "long": 1, "service_code": "0601", "api_key": "{key}"}}', "lat"),
             ("[1, 2]", "JSON object"), ("{" * 100_000, "JSON")]
    for body, field in cases:
        found = errors_of(o311.client.post(url, data=body, content_type="application/json"), 400)
        assert any(field in text for text in found), (body[:60], found)
    assert "api_key" in errors_of(o311.client.post(url, json={**base, "api_key": 5}), 403)[0]


def test_errors_of_the_app_itself_stay_in_the_open311_format(o311: Api) -> None:
    big = o311.client.post(f"{BASE}/requests.xml", data={"description": "x" * 2_000_000})
    errors_of(big, 413, "xml")
    nul = o311.client.get(f"{BASE}/requests.json?status=op%00en")
    assert "status" in errors_of(nul, 400)[0]
    assert errors_of(o311.client.get(f"{BASE}/requests.json?start_date=yesterday"), 400)[0].startswith("start_date")
    assert errors_of(o311.client.get(f"{BASE}/requests.xml?status=pending"), 400, "xml")[0].startswith("status")
    for query, name in (("start_date=9999-12-31T23:59:59-12:00", "start_date"),
                        ("end_date=0001-01-01T00:00:00Z", "end_date"),
                        ("start_date=9999-12-01T00:00:00Z", "start_date")):
        assert errors_of(o311.client.get(f"{BASE}/requests.json?{query}"), 400)[0].startswith(name)
