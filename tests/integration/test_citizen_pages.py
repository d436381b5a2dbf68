"""The citizens' pages over the seeded city on SQLite and PostgreSQL: the report page and its PWA files, the three
posts (code, confirm, report) refusing what the commands refuse (422 naming the field, 429 with the wait), CSRF
on every post, the code read from the SMS a REAL local HTTP receiver got from the outbox's sender, and the tracking
page /t/<token>: its photos only of the token's case, nothing personal, 404 for any other token, the rating."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import Api, png_bytes
from notify_support import Receiver, http_receiver
from pages_support import Browser
from werkzeug.test import TestResponse

from engine.scheduling.notifications import NotificationLoop

DEPT = "dept_350602s07_01"
POINT = {"lon": "117.65", "lat": "24.51"}


@pytest.fixture
def site(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, Receiver]]:
    """The app with SMS codes going to a real local receiver (``GRIDCASE_CITIZEN_SMS_ADDRESS``); the receiver."""
    with http_receiver() as receiver:
        monkeypatch.setenv("GRIDCASE_CITIZEN_SMS_ADDRESS", receiver.url("/sms/{phone}"))
        monkeypatch.setenv("GRIDCASE_ATTACHMENTS_DIR", str(tmp_path / "att"))
        api = Api(city, tmp_path, GRIDCASE_NOTIFY_HOSTS="127.0.0.1")
        yield api, receiver
        api.close()


def _csrf(api: Api) -> str:
    page = api.client.get("/citizen/")
    assert page.status_code == 200
    found = re.search(r'data-csrf="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _post(api: Api, path: str, data: dict[str, Any], *, csrf: str | None = "") -> TestResponse:
    token = _csrf(api) if csrf == "" else csrf
    headers = {"X-CSRF-Token": token} if token else {}
    return api.client.post(path, data=data, headers=headers, content_type="multipart/form-data")


def _code_sent_to(api: Api, receiver: Receiver, phone: str) -> str:
    """The code of the last SMS the sender delivered to ``phone`` at the receiver."""
    NotificationLoop(api.bus).run_once()
    bodies = [str(body) for _, path, body in receiver.posts if path.endswith(phone)]
    assert bodies, receiver.posts
    codes = re.findall(r"(?<!\d)\d{6}(?!\d)", bodies[-1])
    assert codes, bodies[-1]
    return codes[0]


def _ticket(api: Api, receiver: Receiver, phone: str) -> str:
    asked = _post(api, "/citizen/api/code", {"phone": phone})
    assert asked.status_code == 200, asked.text
    confirmed = _post(api, "/citizen/api/confirm", {"phone": phone, "code": _code_sent_to(api, receiver, phone)})
    assert confirmed.status_code == 200, confirmed.text
    return str(confirmed.json["ticket"])


def _report(api: Api, receiver: Receiver, phone: str, **fields: Any) -> TestResponse:
    data = {"ticket": _ticket(api, receiver, phone), "phone": phone, "subtype_code": "0601",
            "description": "路边暴露垃圾", "updates": "none", **POINT, **fields}
    return _post(api, "/citizen/api/reports", data)


def _fields(response: TestResponse, status: int) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.text[:300])
    return dict(response.json["error"].get("fields") or {})


def test_the_page_and_its_pwa_files(site: tuple[Api, Receiver]) -> None:
    api, _ = site
    page = api.client.get("/citizen/")
    assert page.status_code == 200 and "市民随手拍" in page.text and 'capture="environment"' in page.text
    assert "/citizen/manifest.webmanifest" in page.text and "Citizen report" in api.client.get(
        "/citizen/?lang=en").text
    manifest = api.client.get("/citizen/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert (manifest.json["scope"], manifest.json["start_url"], manifest.json["display"]) == (
        "/citizen/", "/citizen/", "standalone")
    for icon in manifest.json["icons"]:
        with api.client.get(icon["src"]) as png:
            assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    worker = api.client.get("/citizen/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Service-Worker-Allowed"] == "/citizen/"
    assert "/citizen/" in worker.text and "/api/" not in worker.text.split("SHELL =")[1].split(";")[0]
    groups = api.client.get("/citizen/api/catalogue").json["groups"]
    assert {g["code"] for g in groups} >= {"01", "06"} and all(g["icon"].endswith(".svg") for g in groups)
    assert any(s["code"] == "0601" for g in groups for s in g["subtypes"])
    with api.client.get(groups[0]["icon"]) as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


def test_every_post_needs_the_session_csrf_token(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    for path in ("/citizen/api/code", "/citizen/api/confirm", "/citizen/api/reports"):
        assert _post(api, path, {"phone": "13900000001"}, csrf=None).status_code == 403
        assert _post(api, path, {"phone": "13900000001"}, csrf="forged").status_code == 403
    assert receiver.posts == [] and NotificationLoop(api.bus).run_once() == 0


@pytest.mark.parametrize("phone", ["12345", "1390000000１", "1" * 5000, "139000000\x0001"])
def test_a_bad_phone_is_422_naming_it(site: tuple[Api, Receiver], phone: str) -> None:
    api, _ = site
    response = _post(api, "/citizen/api/code", {"phone": phone})
    assert response.status_code in (400, 422)
    assert set(response.json["error"]["fields"]) == {"phone"}


def test_a_wrong_code_and_a_second_code_too_soon_are_refused(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    assert _post(api, "/citizen/api/code", {"phone": "13900000002"}).status_code == 200
    again = _post(api, "/citizen/api/code", {"phone": "13900000002"})
    assert _fields(again, 429) == {"phone": again.json["error"]["fields"]["phone"]}
    assert int(again.headers["Retry-After"]) > 0
    code = _code_sent_to(api, receiver, "13900000002")
    wrong = "000000" if code != "000000" else "111111"
    refused = _fields(_post(api, "/citizen/api/confirm", {"phone": "13900000002", "code": wrong}), 422)
    assert set(refused) == {"code"} and refused["code"].startswith("验证码不正确")  # the page is Chinese-first
    english = _fields(_post(api, "/citizen/api/confirm?lang=en", {"phone": "13900000002", "code": wrong}), 422)
    assert english["code"].startswith("The code is wrong")


def test_a_post_past_the_request_limit_is_a_json_413_naming_photos(site: tuple[Api, Receiver]) -> None:
    api, _receiver = site
    big = b"\xff\xd8\xff" + bytes(4 * 2**20)  # three of these pass the app's limit (GRIDCASE_MAX_UPLOAD_MB + 1)
    parts = [b'--b\r\nContent-Disposition: form-data; name="phone"\r\n\r\n13900000009\r\n']
    parts += [b'--b\r\nContent-Disposition: form-data; name="photos"; filename="p%d.jpg"\r\n'
              b"Content-Type: image/jpeg\r\n\r\n" % i + big + b"\r\n" for i in range(3)]
    # the body as bytes: the test client would spool a form this big to a temporary file it never closes
    posted = api.client.post("/citizen/api/reports", data=b"".join(parts) + b"--b--\r\n",
                             headers={"X-CSRF-Token": _csrf(api)}, content_type="multipart/form-data; boundary=b")
    assert posted.is_json and set(_fields(posted, 413)) == {"photos"}
    assert "3 MB" in posted.json["error"]["fields"]["photos"]


def test_a_report_refuses_what_the_command_refuses(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    ticket = _ticket(api, receiver, "13900000003")
    base = {"ticket": ticket, "phone": "13900000003", "subtype_code": "0601", "description": "x", "updates": "none",
            **POINT}
    for change, field in (({"ticket": "nope"}, "ticket"), ({"lon": "1e999"}, "lon"), ({"lat": "９０"}, "lat"),
                          ({"subtype_code": "9999"}, "subtype_code"), ({"updates": "email"}, "email"),
                          ({"lon": "1" * 5000}, "lon")):
        assert field in _fields(_post(api, "/citizen/api/reports", {**base, **change}), 422), change
    photos = {"photos": [(io.BytesIO(png_bytes(2, 2)), f"p{i}.png") for i in range(4)]}
    assert set(_fields(_post(api, "/citizen/api/reports", {**base, **photos}), 422)) == {"photos"}


def test_the_tracking_page_shows_the_case_and_its_photos_only(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    photo = png_bytes(4, 3)
    done = _report(api, receiver, "13900000004", description="张三家门口 13900000004",
                   photos=[(io.BytesIO(photo), "现场.png")])
    assert done.status_code == 201, done.text
    token, case_no = done.json["token"], done.json["case_no"]
    assert done.json["link"] == f"/t/{token}" and len(token) >= 43
    page = api.client.get(f"/t/{token}")
    assert page.status_code == 200 and case_no in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["X-Robots-Tag"] == "noindex"
    for private in ("13900000004", "张三", "collector001", "seat01"):
        assert private not in page.text
    digest = hashlib.sha256(photo).hexdigest()
    with api.client.get(f"/t/{token}/photos/{digest}") as served:
        assert served.status_code == 200 and served.data == photo and served.mimetype == "image/png"
        assert served.headers["Cache-Control"].startswith("private")
    other = png_bytes(5, 5)  # a staff photo of another case: not reachable through this token
    other_case = api.new_case()
    api.client.post(f"/api/v1/cases/{other_case}/attachments", headers=api.headers("seat01"),
                    data={"file": (io.BytesIO(other), "o.png")})
    assert api.client.get(f"/t/{token}/photos/{hashlib.sha256(other).hexdigest()}").status_code == 404
    for unknown in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "y" * 5000):
        assert api.client.get(f"/t/{unknown}").status_code == 404
        assert api.client.get(f"/t/{unknown}/photos/{digest}").status_code == 404
    assert api.client.get(f"/status/{case_no}").status_code == 404


def test_a_case_is_rated_once_after_it_is_closed(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    done = _report(api, receiver, "13900000005")
    token, case_no = done.json["token"], done.json["case_no"]
    csrf = _csrf(api)
    early = api.client.post(f"/t/{token}/rating", data={"rating": "satisfied", "csrf_token": csrf})
    assert early.status_code == 409 and 'id="problem"' in early.text and "尚未结案" in early.text
    assert api.client.post(f"/t/{token}/rating", data={"rating": "satisfied"}).status_code == 403
    _close(api, case_no)
    page = api.client.get(f"/t/{token}")
    assert 'id="rate-form"' in page.text and 'id="photos-after"' in page.text
    bad = api.client.post(f"/t/{token}/rating", data={"rating": "great", "csrf_token": csrf})
    assert bad.status_code == 422
    rated = api.client.post(f"/t/{token}/rating", data={"rating": "basically_satisfied", "comment": "还行",
                                                        "csrf_token": csrf})
    assert rated.status_code == 303 and rated.headers["Location"].endswith(f"/t/{token}")
    page = api.client.get(f"/t/{token}")
    assert 'data-rating="basically_satisfied"' in page.text and 'id="rate-form"' not in page.text
    twice = api.client.post(f"/t/{token}/rating", data={"rating": "satisfied", "csrf_token": csrf})
    assert twice.status_code == 409
    assert api.client.post(f"/t/{'z' * 43}/rating", data={"rating": "satisfied", "csrf_token": csrf}
                           ).status_code == 404


def test_dissatisfied_opens_a_callback_task_the_seat_operator_sees_with_the_rated_case(
        site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    done = _report(api, receiver, "13900000006")
    _close(api, done.json["case_no"])
    rated = api.client.post(f"/t/{done.json['token']}/rating", data={
        "rating": "dissatisfied", "comment": "只清了一半", "csrf_token": _csrf(api)})
    assert rated.status_code == 303
    tasks = [t for t in api.get("/tasks", "seat01").json["tasks"] if t["bpmn_id"] == "call_back_citizen"]
    assert len(tasks) == 1
    page = Browser(api, "seat01").get(f"/tasks/{tasks[0]['id']}")
    assert page.status_code == 200 and 'id="rated-case"' in page.text and "只清了一半" in page.text
    assert f'href="/cases/{done.json["case_no"]}"' in page.text and "不满意" in page.text
    assert 'name="callback.outcome"' in page.text and 'name="callback.note"' in page.text


def _close(api: Api, case_no: str) -> None:
    """Verify, file, dispatch, dispose with a photo, check and close the case as the demo staff."""
    api.to_disposal(case_no)
    after = png_bytes(6, 4)
    uploaded = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers(DEPT),
                               data={"file": (io.BytesIO(after), "after.png")})
    assert uploaded.status_code == 201, uploaded.json
    api.step(case_no, "dispose_problem", DEPT, {"disposal": {"outcome": "disposed", "result": "清理完毕",
                                                              "evidence": [uploaded.json["sha256"]]}})
    api.step(case_no, "check_on_site", "collector001", {"check": {"passed": True}})
    api.step(case_no, "close_case", "shiftlead01", {"closing": {"close_type": "normal"}})
