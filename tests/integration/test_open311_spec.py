"""Open311 GeoReport v2 against the specification's own examples, in both formats, on SQLite and PostgreSQL: the
spec's requests, answered with its roots, element names and order, types; errors as it specifies them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api
from open311_support import BASE, REQUEST_FIELDS, SERVICE, SERVICE_FIELDS, errors_of, make_key, submit, xml_of


@pytest.fixture
def o311(city: str, tmp_path: Path) -> Iterator[Api]:
    api = Api(city, tmp_path)
    yield api
    api.close()


def test_services_as_the_spec_shows_them(o311: Api) -> None:
    as_json = o311.client.get(f"{BASE}/services.json")
    assert as_json.status_code == 200 and as_json.content_type == "application/json; charset=utf-8"
    services = as_json.json
    assert isinstance(services, list) and len(services) > 10
    first = next(s for s in services if s["service_code"] == SERVICE)
    assert list(first) == SERVICE_FIELDS
    assert first["metadata"] is False and first["type"] == "realtime" and first["service_name"] == "暴露垃圾"
    assert isinstance(first["group"], str) and first["group"]
    assert as_json.headers["Access-Control-Allow-Origin"] == "*"
    root = xml_of(o311.client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {c.tag for c in root} == {"service"} and len(root) == len(services)
    node = next(s for s in root if s.findtext("service_code") == SERVICE)
    assert [c.tag for c in node] == SERVICE_FIELDS and node.findtext("metadata") == "false"
    english = o311.client.get(f"{BASE}/services.json?locale=en").json
    assert next(s for s in english if s["service_code"] == SERVICE)["service_name"] != "暴露垃圾"


def test_service_definition_and_unknown_code(o311: Api) -> None:
    assert o311.client.get(f"{BASE}/services/{SERVICE}.json").json == {"service_code": SERVICE, "attributes": []}
    root = xml_of(o311.client.get(f"{BASE}/services/{SERVICE}.xml"))
    assert root.tag == "service_definition" and [c.tag for c in root] == ["service_code", "attributes"]
    for fmt in ("json", "xml"):
        assert "service_code" in errors_of(o311.client.get(f"{BASE}/services/9999.{fmt}"), 404, fmt)[0]


def test_post_the_spec_example_then_read_it_back(o311: Api) -> None:
    key = make_key(o311)["key"]
    posted = submit(o311, key, jurisdiction_id=None)
    assert posted.status_code == 200, posted.text
    answer = posted.json
    assert isinstance(answer, list) and len(answer) == 1
    assert list(answer[0]) == ["service_request_id", "service_notice", "account_id", "token"]
    case_no, token = answer[0]["service_request_id"], answer[0]["token"]
    assert answer[0]["account_id"] is None and len(token) == 43
    root = xml_of(submit(o311, key, fmt="xml"))
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    assert [c.tag for c in root[0]] == ["service_request_id", "service_notice", "account_id", "token"]
    account = root[0].find("account_id")
    assert account is not None and account.text is None and len(account) == 0  # <account_id/>, as the spec shows
    one = o311.client.get(f"{BASE}/requests/{case_no}.json").json
    assert len(one) == 1 and list(one[0]) == REQUEST_FIELDS
    request = one[0]
    assert request["service_request_id"] == case_no and request["status"] == "open"
    assert request["service_code"] == SERVICE and request["address"] == "1234 5th street"
    assert request["description"] == "A large sinkhole is destroying the street"
    assert request["lat"] == pytest.approx(24.51) and request["long"] == pytest.approx(117.65)
    assert request["media_url"].startswith("http://farm3") and request["requested_datetime"].endswith("+08:00")
    assert "smith" not in str(one) and "smit333" not in str(one) and "111111111" not in str(one)
    xml_one = xml_of(o311.client.get(f"{BASE}/requests/{case_no}.xml"))
    assert xml_one.tag == "service_requests" and [c.tag for c in xml_one[0]] == REQUEST_FIELDS
    assert o311.client.get(f"{BASE}/tokens/{token}.json").json == [{"service_request_id": case_no, "token": token}]
    token_root = xml_of(o311.client.get(f"{BASE}/tokens/{token}.xml"))
    assert [c.tag for c in token_root[0]] == ["service_request_id", "token"]
    for fmt in ("json", "xml"):
        errors_of(o311.client.get(f"{BASE}/requests/2099-00000001.{fmt}"), 404, fmt)
        errors_of(o311.client.get(f"{BASE}/tokens/{'x' * 43}.{fmt}"), 404, fmt)


def test_discovery(o311: Api) -> None:
    document = o311.client.get(f"{BASE}/discovery.json").json
    assert list(document) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = document["endpoints"][0]
    assert list(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2" and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml_of(o311.client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    formats = root.find("endpoints/endpoint/formats")
    assert formats is not None and [f.text for f in formats] == ["text/xml", "application/json"]


def test_discovery_names_the_sites_public_address(o311: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """GRIDCASE_PUBLIC_BASE_URL, not the Host header a client sent; the request's own root only when unset."""
    monkeypatch.setenv("GRIDCASE_PUBLIC_BASE_URL", "https://city.example/")
    for fmt in ("json", "xml"):
        answer = o311.client.get(f"{BASE}/discovery.{fmt}", headers={"Host": "evil.example"})
        url = (answer.json["endpoints"][0]["url"] if fmt == "json"
               else xml_of(answer).findtext("endpoints/endpoint/url"))
        assert url == "https://city.example/open311/v2", url
    monkeypatch.delenv("GRIDCASE_PUBLIC_BASE_URL")
    fallback = o311.client.get(f"{BASE}/discovery.json", base_url="http://localhost:8080")
    assert fallback.json["endpoints"][0]["url"] == "http://localhost:8080/open311/v2"


def test_errors_in_the_spec_format(o311: Api) -> None:
    key = make_key(o311)["key"]
    for fmt in ("json", "xml"):
        assert "api_key" in errors_of(submit(o311, None, fmt), 403, fmt)[0]
        assert "api_key" in errors_of(submit(o311, "o311_nope", fmt), 403, fmt)[0]
        assert "jurisdiction_id" in errors_of(submit(o311, key, fmt, jurisdiction_id="sfgov.org"), 404, fmt)[0]
        assert "service_code" in errors_of(submit(o311, key, fmt, service_code=None), 400, fmt)[0]
        assert "service_code" in errors_of(submit(o311, key, fmt, service_code="9999"), 404, fmt)[0]
        found = errors_of(submit(o311, key, fmt, lat=None, long=None), 400, fmt)
        assert any("does not geocode addresses" in text for text in found)
        errors_of(o311.client.get(f"{BASE}/nothing.{fmt}"), 404, fmt)
        errors_of(o311.client.delete(f"{BASE}/services.{fmt}"), 405, fmt)
        errors_of(o311.client.get(f"{BASE}/services.{fmt}?jurisdiction_id=sfgov.org"), 404, fmt)
    assert o311.client.delete(f"{BASE}/requests.json").headers["Allow"] == "GET, POST"
    assert "format" in errors_of(o311.client.get(f"{BASE}/services.html"), 404, "xml")[0]


def test_options_answers_a_cors_preflight(o311: Api) -> None:
    """OPTIONS: 204, the path's real methods (no PUT or DELETE), the read-only CORS grant; an unknown path is 404."""
    for path, allow in (("/services.json", "GET, HEAD, OPTIONS"), ("/requests/1.xml", "GET, HEAD, OPTIONS"),
                        ("/requests.json", "GET, HEAD, POST, OPTIONS"), ("/discovery.xml", "GET, HEAD, OPTIONS")):
        answer = o311.client.options(f"{BASE}{path}", headers={"Origin": "https://app.example",
                                                                "Access-Control-Request-Method": "GET"})
        assert (answer.status_code, answer.headers["Allow"], answer.data) == (204, allow, b""), path
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert answer.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
        assert "Content-Type" in answer.headers["Access-Control-Allow-Headers"]
    errors_of(o311.client.options(f"{BASE}/nothing.json"), 404)
