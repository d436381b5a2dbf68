"""Shared helpers of the Open311 tests: an app over the seeded city, a key made by the admin through the API, the
spec's example POST (its parameters, our city's service and place), and the XML of an answer parsed with the
standard library."""

from __future__ import annotations

import uuid
from typing import Any
from xml.etree import ElementTree as ET

from api_support import Api
from werkzeug.test import TestResponse

BASE = "/open311/v2"
SERVICE = "0601"  # 暴露垃圾 in the demo city's catalogue
# The spec's example request (POST Service Request), moved to the demo city: its lat/long, our service code.
EXAMPLE = {"service_code": SERVICE, "lat": "24.51", "long": "117.65", "address_string": "1234 5th street",
           "email": "smit333@sfgov.edu", "device_id": "tt222111", "account_id": "123456", "first_name": "john",
           "last_name": "smith", "phone": "111111111", "description": "A large sinkhole is destroying the street",
           "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
           "attribute[WHISPAWN]": "123456", "attribute[WHISDORN]": "COISL001"}
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


def make_key(api: Api, name: str | None = None, per_minute: int | None = None) -> dict[str, Any]:
    """A new key (the API's answer, with ``key``), made by the admin (a fresh name unless one is given: the
    module's tests share its database)."""
    body: dict[str, Any] = {"name": name or f"app-{uuid.uuid4().hex[:8]}", "contact": "dev@app.example"}
    if per_minute is not None:
        body["per_minute"] = per_minute
    made = api.post("/open311/keys", "admin", body)
    assert made.status_code == 201, made.text
    return dict(made.json)


def submit(api: Api, key: str | None, fmt: str = "json", **changes: Any) -> TestResponse:
    """POST requests.{fmt} form-encoded (the spec's example, with ``changes``; None drops a parameter)."""
    data = {**EXAMPLE, **({"api_key": key} if key is not None else {}), **changes}
    return api.client.post(f"{BASE}/requests.{fmt}", data={k: v for k, v in data.items() if v is not None})


def xml_of(response: TestResponse) -> ET.Element:
    """The answer's XML root (its declaration and content type checked)."""
    assert response.content_type == "text/xml; charset=utf-8", response.content_type
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>'), response.text[:80]
    return ET.fromstring(response.data)


def errors_of(response: TestResponse, status: int, fmt: str = "json") -> list[str]:
    """The spec's error document's descriptions, checked: the status and each error's code."""
    assert response.status_code == status, (response.status_code, response.text)
    if fmt == "json":
        assert response.content_type == "application/json; charset=utf-8"
        body = response.json
        assert isinstance(body, list) and body
        assert all(list(e) == ["code", "description"] and e["code"] == status for e in body), body
        return [e["description"] for e in body]
    root = xml_of(response)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"] * len(root) and len(root) > 0
    assert all([c.tag for c in e] == ["code", "description"] and e.findtext("code") == str(status) for e in root)
    return [e.findtext("description") or "" for e in root]
