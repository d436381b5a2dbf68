"""Open311 GET requests on SQLite and PostgreSQL: only the public's requests (a seat operator's case is never
listed), never personal data, the spec's filters (ids override the rest, codes, dates, status) and its errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
from api_support import Api
from open311_support import BASE, SERVICE, errors_of, make_key, submit, xml_of


@pytest.fixture
def o311(city: str, tmp_path: Path) -> Iterator[Api]:
    api = Api(city, tmp_path)
    yield api
    api.close()


def _ids(api: Api, query: str) -> list[str]:
    answer = api.client.get(f"{BASE}/requests.json{query}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    return [r["service_request_id"] for r in answer.json]


def test_only_public_requests_without_personal_data(o311: Api) -> None:
    key = make_key(o311)["key"]
    mine = [submit(o311, key).json[0]["service_request_id"] for _ in range(2)]
    hand = o311.new_case()  # a seat operator's report: not the public's
    listed = o311.client.get(f"{BASE}/requests.json")
    ids = [r["service_request_id"] for r in listed.json]
    assert set(mine) <= set(ids) and hand not in ids
    for secret in ("smit333", "111111111", "john", "smith", "tt222111", "123456"):
        assert secret not in listed.text, secret
    root = xml_of(o311.client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests" and {r.findtext("service_request_id") for r in root} >= set(mine)
    assert _ids(o311, f"?service_request_id={mine[0]},{hand}&status=closed&service_code=9999") == [mine[0]]


def test_filters(o311: Api) -> None:
    key = make_key(o311)["key"]
    new = submit(o311, key).json[0]["service_request_id"]
    assert new in _ids(o311, "?status=open") and new in _ids(o311, "?status=open,closed")
    assert new not in _ids(o311, "?status=closed")
    assert new in _ids(o311, "?status=closed&status=open")  # a repeated parameter counts every value
    assert new in _ids(o311, f"?service_code=0602&service_code={SERVICE}")
    assert new in _ids(o311, f"?service_code={SERVICE},0602") and new not in _ids(o311, "?service_code=0602")
    assert new not in _ids(o311, "?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z")  # the spec's
    now = datetime.now(UTC)
    start, end = (f"{moment:%Y-%m-%dT%H:%M:%SZ}" for moment in (now - timedelta(hours=1), now + timedelta(hours=1)))
    around = f"?start_date={start}&end_date={end}"
    assert new in _ids(o311, around) and new in _ids(o311, around + f"&service_code={SERVICE}&status=open")
    found = errors_of(o311.client.get(f"{BASE}/requests.json?start_date=2010-01-01T00:00:00Z"
                                      "&end_date=2010-06-01T00:00:00Z"), 400)
    assert "90 days" in found[0]
    assert errors_of(o311.client.get(f"{BASE}/requests.xml?start_date=2010-02-01T00:00:00Z"
                                     "&end_date=2010-01-01T00:00:00Z"), 400, "xml")[0].startswith("end_date")
    assert errors_of(o311.client.get(f"{BASE}/requests.json?jurisdiction_id=sfgov.org"), 404)


@pytest.mark.parametrize("offset", [timedelta(hours=8), timedelta(hours=-8), None])
def test_a_window_around_a_request_finds_it_whatever_its_offset(o311: Api, offset: timedelta | None) -> None:
    """An hour either side of now, written with +08:00, -08:00 or no offset (the city's time): SQLite compares
    stored text, so the bounds must be stored the same way (UTC) or a +08:00 window misses by eight hours."""
    new = submit(o311, make_key(o311)["key"]).json[0]["service_request_id"]
    now = datetime.now(UTC)
    zone = timezone(offset) if offset is not None else timezone(timedelta(hours=8))
    start, end = ((now + shift).astimezone(zone) for shift in (timedelta(hours=-1), timedelta(hours=1)))
    texts = [f"{moment:%Y-%m-%dT%H:%M:%S}" if offset is None else moment.isoformat(timespec="seconds")
             for moment in (start, end)]
    assert new in _ids(o311, f"?start_date={quote(texts[0])}&end_date={quote(texts[1])}")
    assert new in _ids(o311, f"?start_date={quote(texts[0])}")  # the 90 days after it
    assert new in _ids(o311, f"?end_date={quote(texts[1])}")  # the 90 days before it
    earlier = [quote((moment - timedelta(hours=3)).isoformat(timespec="seconds")) for moment in (start, end)]
    assert new not in _ids(o311, f"?start_date={earlier[0]}&end_date={earlier[1]}")
