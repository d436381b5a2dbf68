"""An Open311 request rated 不满意 and reopened after the 回访, on SQLite and PostgreSQL: the app's first request
still answers (closed, naming the new case), the reopened case is listed as a request of its own, and the token
follows the new case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, rows
from citizen_support import citizen_app, close_case, new_address
from notify_support import Receiver
from open311_support import BASE, make_key, submit, xml_of

from city.citizens.commands import RateResult


@pytest.fixture
def site(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, Receiver]]:
    yield from citizen_app(city, tmp_path, monkeypatch)


def _reopen(api: Api, token: str, case_no: str) -> str:
    """Close the case, rate it 不满意, reopen it at the 回访; the new case's number."""
    close_case(api, case_no)
    callback_no = api.bus.handle(RateResult(token, "dissatisfied", new_address(), "没处理"))
    assert callback_no is not None
    api.step(callback_no, "call_back_citizen", "seat01", {"callback": {"outcome": "reopen", "note": "重新派遣"}})
    (found,) = rows(api, "SELECT f.case_no FROM citizen_reports r JOIN case_facts f ON f.case_id = r.case_id"
                         " WHERE r.token = :t", t=token)
    assert found[0] != case_no
    return str(found[0])


def test_a_reopened_request_keeps_its_id_and_names_the_new_case(site: tuple[Api, Receiver]) -> None:
    api, _receiver = site
    posted = submit(api, make_key(api)["key"]).json[0]
    first, token = posted["service_request_id"], posted["token"]
    reopened = _reopen(api, token, first)
    old = api.client.get(f"{BASE}/requests/{first}.json")
    assert old.status_code == 200, old.text
    (shown,) = old.json
    assert shown["service_request_id"] == first and shown["status"] == "closed"
    assert reopened in shown["status_notes"] and reopened in shown["service_notice"]
    assert shown["description"] == "A large sinkhole is destroying the street"
    english = api.client.get(f"{BASE}/requests/{first}.json?locale=en").json[0]
    assert reopened in english["status_notes"] and english["status_notes"].startswith("Reopened")
    (new,) = api.client.get(f"{BASE}/requests/{reopened}.json").json
    assert new["status"] == "open" and reopened not in new["status_notes"]
    listed = [r["service_request_id"] for r in api.client.get(f"{BASE}/requests.json").json]
    assert first in listed and reopened in listed and len(listed) == len(set(listed))
    both = xml_of(api.client.get(f"{BASE}/requests.xml?service_request_id={first},{reopened}"))
    assert {r.findtext("service_request_id") for r in both} == {first, reopened}
    assert api.client.get(f"{BASE}/tokens/{token}.json").json == [{"service_request_id": reopened, "token": token}]
