"""A maintained Open311 client library from PyPI (``georeport``, a GeoReport v2 wrapper) against gridcase over
real HTTP, on SQLite and PostgreSQL, in both its formats: the proof that apps work unchanged. The library only
reads (services, a definition, requests, one request); the POST is sent with ``requests`` as the spec's example
shows it (form-encoded)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from api_support import Api
from georeport import GeoReport
from open311_support import EXAMPLE, SERVICE, make_key
from werkzeug.serving import make_server


@pytest.fixture
def root(api: Api) -> Iterator[str]:
    """The app served over real HTTP on a free port; the Open311 endpoint's URL."""
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    server.shutdown()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_library_reads_what_an_app_posted(api: Api, root: str, fmt: str) -> None:
    key = make_key(api)["key"]
    posted = requests.post(f"{root}/requests.{fmt}", data={**EXAMPLE, "api_key": key}, timeout=30)
    assert posted.status_code == 200, posted.text
    case_no = posted.json()[0]["service_request_id"] if fmt == "json" else \
        posted.text.split("<service_request_id>")[1].split("<")[0]
    client = GeoReport(root, jurisdiction=None, api_key=key, output_format=fmt)
    services = client.get_service_list()
    assert any(s["service_code"] == SERVICE for s in services)
    definition = client.get_service_definition(SERVICE)
    assert definition["service_code"] == SERVICE
    one = client.get_service_request(case_no)
    assert one["service_request_id"] == case_no and one["status"] == "open" and one["service_code"] == SERVICE
    listed = client.get_service_requests(service_request_id=case_no)
    found = listed if isinstance(listed, list) else [listed]  # xmltodict gives one request as a dict
    assert [r["service_request_id"] for r in found] == [case_no]
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_definition("9999")
    assert refused.value.response is not None and refused.value.response.status_code == 404
