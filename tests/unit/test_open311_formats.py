"""Open311's formats without a database: the XML writer (the spec's roots and singular items, order, empty
elements for null, true/false, text no XML document may hold replaced), the error document in both formats, the
format a path asks for, and the public stage read as the spec's open/closed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Flask

from city.open311.views import request_view, w3c
from web.open311.formats import error_response, format_of_path, render, xml_document


def test_xml_follows_the_spec_shapes() -> None:
    services = [{"service_code": "0601", "service_name": "暴露垃圾", "metadata": False, "keywords": None}]
    root = ET.fromstring(xml_document("services", services).encode())
    assert root.tag == "services" and [c.tag for c in root] == ["service"]
    assert [c.tag for c in root[0]] == ["service_code", "service_name", "metadata", "keywords"]
    assert root[0].findtext("metadata") == "false" and root[0].find("keywords") is not None
    assert root[0].findtext("service_name") == "暴露垃圾"
    discovery = ET.fromstring(xml_document("discovery", {"endpoints": [{"formats": ["text/xml", "a/b"]}]}))
    assert [f.tag for f in discovery.find("endpoints/endpoint/formats") or []] == ["format", "format"]
    definition = ET.fromstring(xml_document("service_definition", {"service_code": "1", "attributes": []}))
    assert [c.tag for c in definition] == ["service_code", "attributes"] and len(definition[1]) == 0


def test_text_no_xml_may_hold_is_replaced() -> None:
    root = ET.fromstring(xml_document("service_requests", [{"description": "a\x01b\x1fc"}]).encode())
    assert root[0].findtext("description") == "a\ufffdb\ufffdc"


def test_errors_in_both_formats_and_the_path_format() -> None:
    app = Flask(__name__)
    assert format_of_path("/open311/v2/services.JSON") == "json" and format_of_path("/x/services.xml") == "xml"
    assert format_of_path("/open311/v2/services.html") == "xml"  # the spec's required format for anything else
    with app.test_request_context("/open311/v2/requests.json"):
        response = error_response(400, ["lat: must be a number", "long: must be a number"])
        assert response.status_code == 400 and response.content_type == "application/json; charset=utf-8"
        assert json.loads(response.get_data()) == [{"code": 400, "description": "lat: must be a number"},
                                                   {"code": 400, "description": "long: must be a number"}]
    with app.test_request_context("/open311/v2/requests.xml"):
        response = error_response(403, ["api_key is missing"], {"X-Test": "1"})
        root = ET.fromstring(response.get_data())
        assert root.tag == "errors" and [c.tag for c in root[0]] == ["code", "description"]
        assert root[0].findtext("code") == "403" and response.headers["X-Test"] == "1"
        assert render("xml", "services", []).get_data().startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def _row(**changes: object) -> dict[str, object]:
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    row: dict[str, object] = {"case_no": "2026-00000001", "subtype": "0601", "result": "open", "reported_at": at,
                              "updated_at": at, "due_at": None, "lat": 24.5, "lon": 117.6, "filed_at": None,
                              "dispatched_at": None, "disposed_at": None, "checked_at": None,
                              "extra": {"address_string": "a", "media_url": None, "description": "d"},
                              "token": "t", "service_zh": "暴露垃圾", "service_en": "Exposed garbage",
                              "department_zh": None, "department_en": None}
    return row | changes


def test_a_request_in_the_spec_order_with_the_public_stage() -> None:
    view = request_view(_row(), "zh")
    assert list(view)[:3] == ["service_request_id", "status", "status_notes"] and list(view)[-1] == "media_url"
    assert view["status"] == "open" and view["status_notes"] == "已受理，待核实" and view["expected_datetime"] is None
    assert view["requested_datetime"] == "2026-12-01T10:00:00+08:00" == w3c(datetime(2026, 12, 1, 2, tzinfo=UTC))
    assert request_view(_row(result="voided"), "en")["status"] == "closed"
    closed = request_view(_row(result="closed"), "en")
    assert closed["status"] == "closed" and closed["status_notes"] == "Closed"
    assert closed["service_name"] == "Exposed garbage" and "token" not in closed
