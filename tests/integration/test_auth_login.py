"""Signing in: after the login page only a same-site path is followed (a hostile ``next`` goes home, CR/LF is no
500); machine accounts never sign in with a password (page or API) and the vision worker sends only its
detection message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_support import PASSWORD, App, add_accounts, sign_in
from sqlalchemy.engine import Engine

HOSTILE = ["//evil.example/phish", "/\t/evil.example/phish", "/\\evil.example", "\\\\evil.example",
           "https://evil.example/", "javascript:alert(1)", "/%2F%2Fevil.example", "/%5Cevil.example",
           "/%252F%252Fevil.example", "/\r\nSet-Cookie: stolen=1", "/inbox\r\nLocation: //evil.example",
           "///evil.example", "evil.example"]


@pytest.fixture
def app(db_url_engine: tuple[str, Engine]) -> Iterator[App]:
    url, _db = db_url_engine
    app = App(url)
    add_accounts(app.bus)
    yield app
    app.close()


def test_a_hostile_next_sends_the_person_home_and_a_same_site_one_is_followed(app: App) -> None:
    for target in HOSTILE:
        client = app.client()
        answer = sign_in(client, "seat", next_page=target)
        assert answer.status_code == 302 and answer.headers["Location"] == "/inbox", (target, answer.headers)
    followed = sign_in(app.client(), "seat", next_page="/cases?status=open")
    assert followed.headers["Location"] == "/cases?status=open"


def test_the_login_page_neither_keeps_nor_breaks_on_a_hostile_next(app: App) -> None:
    for query in ("/%09/evil.example/phish", "/%0d%0aSet-Cookie:%20stolen=1", "%2F%2Fevil.example"):
        page = app.client().get(f"/login?next={query}")
        assert page.status_code == 200, query
        assert 'name="next" value=""' in page.text  # the form carries no hostile target on
    kept = app.client().get("/login?next=/queue")
    assert 'name="next" value="/queue"' in kept.text


def test_the_open_redirect_of_the_review_is_closed(app: App) -> None:
    """The reported case: ``/login?next=/%09/evil.example/phish`` answered ``Location: //evil.example/phish``."""
    client = app.client()
    page = client.get("/login?next=/%09/evil.example/phish")
    answer = sign_in(client, "seat", next_page="/\t/evil.example/phish")
    assert page.status_code == 200 and answer.headers["Location"] == "/inbox"


def test_machine_accounts_never_sign_in_with_a_password(app: App) -> None:
    for machine in ("camera", "feed"):
        refused = app.token(machine)
        assert refused.status_code == 403, refused.json
        assert "token" in refused.json["error"]["message"]
        client = app.client()
        page = sign_in(client, machine)
        assert page.status_code == 403 and "机器账号" in page.text
        assert client.get("/api/v1/tasks").status_code == 401  # no session was made
    english = app.client()
    english.set_cookie("lang", "en")
    assert "Machine accounts cannot sign in with a password" in sign_in(english, "feed").text
    wrong = app.token("camera", "not the password")
    assert wrong.status_code == 401  # a wrong password says no more than for anyone
    assert app.token("seat").status_code == 200


def test_an_admin_issues_machine_tokens_which_then_work(app: App) -> None:
    admin = {"Authorization": f"Bearer {app.token('boss').json['token']}"}
    issued = app.client().post("/api/v1/users/camera/tokens", json={"name": "camera 7", "days": 30}, headers=admin)
    assert issued.status_code == 201, issued.json
    camera = {"Authorization": f"Bearer {issued.json['token']}"}
    empty = app.client().post("/api/v1/vision/detections", json={"detections": []}, headers=camera)
    assert empty.status_code == 422 and "detections" in empty.json["error"]["fields"]  # signed in, let through
    assert app.client().get("/api/v1/tasks", headers=camera).status_code == 403  # a camera reads no tasks
    for bad, field in (({"name": ""}, "name"), ({"name": "x", "days": 0}, "days"), ({"name": "x", "days": "7"}, "days"),
                       ({"name": "x", "extra": 1}, "extra")):
        refused = app.client().post("/api/v1/users/camera/tokens", json=bad, headers=admin)
        assert refused.status_code == 422 and field in refused.json["error"]["fields"], (bad, refused.json)
    missing = app.client().post("/api/v1/users/nobody/tokens", json={"name": "x"}, headers=admin)
    assert missing.status_code == 404


def test_the_vision_worker_sends_only_its_detection_message(app: App) -> None:
    camera = {"Authorization": f"Bearer {app.issue('camera')}"}
    other = app.client().post("/api/v1/messages", json={"name": "citizen_report", "payload": {}}, headers=camera)
    assert other.status_code == 403 and "citizen_report" in other.json["error"]["message"]
    detection = app.client().post("/api/v1/messages", json={"name": "video_detection", "payload": {}},
                                  headers=camera)
    assert detection.status_code not in (401, 403, 500), detection.json  # let through (the detection is checked)
    feed = {"Authorization": f"Bearer {app.issue('feed')}"}
    anything = app.client().post("/api/v1/messages", json={"name": "citizen_report", "payload": {}}, headers=feed)
    assert anything.status_code not in (401, 403, 500), anything.json  # an integration client sends any message
    assert app.client().get("/api/v1/vision/precision", headers=camera).status_code == 403


def test_a_wrong_password_on_the_page_still_says_so(app: App) -> None:
    answer = sign_in(app.client(), "seat", "wrong password")
    assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    assert sign_in(app.client(), "seat", PASSWORD).status_code == 302
