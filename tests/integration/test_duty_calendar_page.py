"""The duty calendar page (/admin/calendar, 值班时间表): admins see the versions and warnings and upload a file;
a bad file is refused naming the field, nothing stored; other roles are refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import sqlalchemy as sa
from api_support import Api
from pages_support import Browser

DEMO_FILE = Path(__file__).resolve().parents[2] / "config" / "duty_calendar.json"
SPRING = {"versions": [{"effective_from": "2031-03-01", "comment": "页面上传", "seasons": [
    {"name": "全年", "from": "01-01", "to": "12-31", "windows": [["08:30", "12:00"], ["14:00", "17:30"]]}],
    "round_the_clock_subtypes": ["0107"]}]}


def upload(browser: Browser, content: bytes, comment: str = "") -> str:
    browser.get("/admin/calendar")
    done = browser.client.post("/admin/calendar", data={"csrf_token": browser.token, "comment": comment,
                                                        "file": (io.BytesIO(content), "calendar.json")},
                               content_type="multipart/form-data", follow_redirects=True)
    assert done.status_code == 200
    return done.text


def test_the_page_warns_without_a_calendar_and_only_admins_open_it(api: Api) -> None:
    """First in the module: the demo package loads its duty windows; a city whose package named none has no
    versions (removed here, as such a load leaves the table) and the page warns."""
    assert api.get("/city/calendar", "admin").json["in_force"] is not None  # the demo package's
    with api.deps.db.begin() as conn:
        conn.execute(sa.text("DELETE FROM duty_calendar_versions"))
    assert api.get("/city/calendar", "admin").json["in_force"] is None
    page = Browser(api, "admin").get("/admin/calendar").text
    assert "未载入值班时间表" in page
    english = Browser(api, "admin").get("/admin/calendar?lang=en").text
    assert "Duty calendar (值班时间表)" in english and "No duty calendar loaded" in english
    assert Browser(api, "supervisor01").get("/admin/calendar").status_code == 403


def test_an_admin_uploads_a_version_and_sees_it(api: Api) -> None:
    admin = Browser(api, "admin")
    page = admin.get("/admin/calendar")
    assert page.status_code == 200 and "值班时间表" in page.text
    text = upload(admin, json.dumps(SPRING).encode(), "春季")
    assert "已载入" in text and "2031-03-01" in text and "08:30–12:00" in text and "0107" in text
    assert any(v["effective_from"] == "2031-03-01" and v["comment"] == "春季"
               for v in api.get("/city/calendar", "admin").json["versions"])


def test_a_bad_upload_names_the_field_and_stores_nothing(api: Api) -> None:
    before = api.get("/city/calendar", "admin").json["versions"]
    bad = {"versions": [{**SPRING["versions"][0], "effective_from": "2031-04-01", "seasons": [  # type: ignore[dict-item]
        {"from": "01-01", "to": "11-30", "windows": [["08:30", "12:00"]]}]}]}
    text = upload(Browser(api, "admin"), json.dumps(bad).encode())
    assert "versions[0].seasons" in text and "12-01" in text
    assert api.get("/city/calendar", "admin").json["versions"] == before
