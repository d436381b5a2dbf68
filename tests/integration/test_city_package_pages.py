"""The pages of a city loaded from its package (Lakeside, America/Chicago, English): a case reported at 23:30 on
31 October shows that day and time, its channel by the city's own name, the report form offers the city's
channels, and the replay page gives its script the city's zone — SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from api_support import Api
from flask.testing import FlaskClient

from city.bootstrap import bootstrap
from city.commands import ReportProblem
from city.package.commands import LoadCityPackage
from city.package.profile import install
from city.package.reader import read_package
from city.package.rules import deploy_files
from engine.domain.city_zone import use_city_zone
from engine.domain.clock import FakeClock
from engine.domain.summary import case_no

LAKESIDE = Path(__file__).resolve().parents[1] / "fixtures" / "cities" / "lakeside"
EVENING = datetime(2026, 10, 31, 23, 30, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(autouse=True)
def _shanghai_after() -> Iterator[None]:
    yield
    use_city_zone(None)


def _signed_in(api: Api, username: str) -> FlaskClient:
    client = api.app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    response = client.post("/login", data={"username": username, "password": "lakeside-test",
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302, response.text
    return client


def test_pages_show_the_city_day_and_its_channel_names(db_url_engine: tuple[str, sa.Engine],
                                                       tmp_path: Path) -> None:
    url, engine = db_url_engine
    bus = bootstrap(engine, FakeClock(EVENING))
    install(bus)
    package = read_package(LAKESIDE)
    bus.handle(LoadCityPackage(package, actor="admin1", source="lakeside", deploy=deploy_files(package.rules)))
    ref = bus.handle(ReportProblem("0601", "Garbage on the curb", -87.6597, 41.8673, "311", "seat1"))
    number = case_no(ref.case_id, EVENING)
    assert number.startswith("20261031")
    api = Api(url, tmp_path)
    try:
        client = _signed_in(api, "lead1")
        page = client.get(f"/cases/{number}?lang=en")
        assert page.status_code == 200, page.text
        assert "2026-10-31 23:30" in page.text and "311 call" in page.text
        form = client.get("/report/new?lang=en")
        codes = re.findall(r'<option value="([^"]+)"', form.text.split('id="channel"')[1].split("</select>")[0])
        assert codes == ["311", "app", "inspector", "alderman"]
        chinese = client.get(f"/cases/{number}?lang=zh")
        assert "311热线" in chinese.text
        replay = _signed_in(api, "admin1").get(f"/audit/cases/{number}?lang=en")  # its times in the city's zone
        assert replay.status_code == 200 and 'data-zone="America/Chicago"' in replay.text
    finally:
        api.close()
