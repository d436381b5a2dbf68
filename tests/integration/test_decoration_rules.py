"""Decoration works' rules (室内装修工程) on SQLite and PostgreSQL: the period's window around the city's today,
a permit valid through the works' last day in the city's time, who registers a removal or cancels (the works'
office, its registrant, the district's collectors for a removal, an admin; an unknown account refused), the command
line's ``--as``, registrations at the same moment each numbered, and the list a page at a time."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import Api, error_of
from decoration_support import MODEL_FILES, OFFICE, ROOT, body, permit, register, rows, today
from pages_support import Browser

from city.decoration.commands import CancelDecorationWorks, RegisterDecorationWorks
from engine.domain import commands as c
from engine.domain.city_zone import city_zone
from engine.domain.errors import NotFound
from engine.service.deploy import read_sources


@pytest.fixture
def deployed(api: Api) -> Iterator[Api]:
    """The app with the decoration works' model deployed."""
    api.bus.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    yield api


@pytest.mark.parametrize(("starts_on", "ends_on", "field"), [
    ("9999-12-30", "9999-12-31", "starts_on"),  # was a 500: the period's end has no next day
    ("0001-01-01", "0001-01-02", "starts_on"),  # was a 422 naming no field
    ("1900-01-01", "1900-01-02", "starts_on"),  # was accepted
    ((today() - timedelta(days=10)).isoformat(), (today() - timedelta(days=1)).isoformat(), "ends_on"),  # over
])
def test_the_period_lies_around_the_city_s_today(deployed: Api, starts_on: str, ends_on: str, field: str) -> None:
    refused = error_of(deployed.post("/decoration-works", "seat01", body(117.65, 24.51, starts_on=starts_on,
                                                                         ends_on=ends_on)), 422)
    assert set(refused["fields"]) == {field}


def test_a_permit_valid_through_the_works_last_day_serves_it(deployed: Api) -> None:
    api = deployed
    works = register(api, 117.651, 24.511, starts_on=today().isoformat(),
                     ends_on=(today() + timedelta(days=5)).isoformat())
    code, last = works["code"], today() + timedelta(days=5)
    through = datetime.combine(last, time(23, 59, 59), tzinfo=city_zone())  # 15:59:59 UTC: an earlier UTC time
    short = permit(api, f"P-SHORT-{code}", valid_to=through - timedelta(days=1))
    refused = error_of(api.post(f"/decoration-works/{code}/removal", OFFICE, {"permit_code": short}), 422)
    assert f"..{last - timedelta(days=1)}," in refused["fields"]["permit_code"]  # the city's date, not UTC's
    done = api.post(f"/decoration-works/{code}/removal", OFFICE,
                    {"permit_code": permit(api, f"P-LAST-{code}", valid_to=through)})
    assert done.status_code == 200, done.json


@pytest.mark.parametrize(("user", "status"), [("dept_c01_01", 403), ("collector002", 403), ("seat02", 403),
                                              ("collector001", 200), ("seat01", 200), (OFFICE, 200),
                                              ("admin", 200)])
def test_who_registers_a_removal(deployed: Api, user: str, status: int) -> None:
    api = deployed
    code = register(api, 117.652, 24.512, user="seat01")["code"]  # a 350602 works, registered by seat01
    response = api.post(f"/decoration-works/{code}/removal", user, {"permit_code": permit(api, f"P-WHO-{code}")})
    assert response.status_code == status, response.json
    assert (api.get(f"/decoration-works/{code}", "seat01").json["removal"] is None) is (status == 403)


def test_an_unknown_account_cancels_nothing(deployed: Api) -> None:
    api = deployed
    code = register(api, 117.653, 24.513)["code"]
    with pytest.raises(NotFound) as refused:
        api.bus.handle(CancelDecorationWorks(code, "业主取消装修", "nobody-at-all"))
    assert refused.value.field == "actor"
    assert api.get(f"/decoration-works/{code}", "seat01").json["state"] == "in_progress"  # started today
    error_of(api.post(f"/decoration-works/{code}/cancel", "collector001", {"reason": "x"}), 403)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "decoration", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_command_line_checks_its_as(deployed: Api) -> None:
    start = (today() + timedelta(days=3)).isoformat()
    common = ["--address", "龙文区建元东路 8 号", "--lon", "117.659", "--lat", "24.516", "--owner", "陈女士",
              "--phone", "13800001111", "--contractor", "闽南装修队", "--starts-on", start, "--ends-on", start,
              "--waste-m3", "3"]
    for who in ("nobody-at-all", "auditor01"):  # no account; an account the API refuses too
        refused = _cli(deployed.url, "register", *common, "--as", who)
        assert refused.returncode == 2 and "--as" in refused.stderr, refused.stderr
    code = deployed.post("/decoration-works", "seat01", body(117.654, 24.514)).json["code"]
    refused = _cli(deployed.url, "removal", code, "P-NONE", "--as", "nobody-at-all")
    assert refused.returncode == 2 and "--as" in refused.stderr
    assert _cli(deployed.url, "register", *common, "--as", "seat01").returncode == 0


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released together; each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    found: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            found[i] = calls[i]()
        except Exception as exc:  # the test asserts on what each got
            found[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def test_registrations_at_the_same_moment_each_get_a_number(deployed: Api) -> None:
    start = today() + timedelta(days=4)
    command = RegisterDecorationWorks("芗城区胜利西路 20 号", None, 117.655, 24.515, "林先生", "13905961234",
                                      "美居装饰", start, start + timedelta(days=3), 2.0, "seat01")
    results = _at_once([lambda: deployed.bus.handle(command) for _ in range(4)])
    assert all(isinstance(r, dict) for r in results), results
    assert len({r["code"] for r in results}) == 4


def test_the_list_a_page_at_a_time(deployed: Api) -> None:
    api = deployed
    codes = [register(api, 117.656, 24.516 + i / 10_000)["code"] for i in range(3)]
    first = api.get("/decoration-works?per_page=2", "seat01").json
    assert [w["code"] for w in first["works"]] == codes[::-1][:2]  # newest first
    assert first["total"] >= 3 and first["pages"] == -(-first["total"] // 2) and first["page"] == 1
    second = api.get("/decoration-works?per_page=2&page=2", "seat01").json
    assert second["works"][0]["code"] == codes[0]
    for query, field in (("per_page=0", "per_page"), ("per_page=201", "per_page"), ("page=x", "page")):
        assert set(error_of(api.get(f"/decoration-works?{query}", "seat01"), 422)["fields"]) == {field}


def test_only_the_registration_starts_a_works_case(deployed: Api) -> None:
    """The model's empty starter list: nobody starts a works by hand (no row, no checks), admins included."""
    api = deployed
    data = {"works": {"code": "ZX20261207FAKE", "district_code": "350602"}, "starts_at": "2026-12-07T00:00:00+08:00",
            "inspect_again_at": "2026-12-08T00:00:00+08:00", "ends_at": "2026-12-09T00:00:00+08:00"}
    count = "SELECT COUNT(*) AS n FROM cases WHERE process_id = 'decoration_works'"
    before = rows(api, count)[0].n
    for user in ("admin", "designer01", "seat01"):
        refused = error_of(api.post("/processes/decoration_works/cases", user, {"data": data}), 403)
        assert set(refused["fields"]) == {"process_id"}
    assert rows(api, count)[0].n == before
    startable = api.get("/processes/startable", "admin").json
    assert "decoration_works" not in {p["process_id"] for p in startable["processes"]}


@pytest.mark.parametrize(("user", "removal", "cancel"), [("seat02", False, False), ("collector001", True, False),
                                                         ("collector002", False, False), (OFFICE, True, True),
                                                         ("seat01", True, True)])
def test_the_works_page_offers_the_forms_to_who_may_use_them(deployed: Api, user: str, removal: bool,
                                                             cancel: bool) -> None:
    code = register(deployed, 117.657, 24.517, user="seat01")["code"]
    page = Browser(deployed, user).get(f"/decoration/{code}")
    assert page.status_code == 200
    assert ('id="removal-form"' in page.text, 'id="cancel-form"' in page.text) == (removal, cancel)


def test_a_works_past_its_period_captures_no_nearby_case(deployed: Api) -> None:
    """A works whose finish is not confirmed yet stays in progress, but after its last day links nothing more."""
    api = deployed
    works = register(api, 117.625, 24.525)  # started today: in progress, no removal
    with api.deps.db.begin() as conn:  # its period over (as when the office has not confirmed the finish)
        conn.execute(sa.text("UPDATE decoration_works SET starts_on = :s, ends_on = :e WHERE code = :c"),
                     {"s": today() - timedelta(days=5), "e": today() - timedelta(days=1), "c": works["code"]})
    api.new_case(subtype_code="0603", lon=117.6251, lat=24.5251)
    shown = api.get(f"/decoration-works/{works['code']}", "seat01").json
    assert (shown["state"], shown["linked_cases"]) == ("in_progress", [])
