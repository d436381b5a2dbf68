"""The notification pages: 通知设置 (a person's own subscriptions: saved, a refusal shown naming its field with
nothing written, removed), 部门通知设置 for admins only, the inbox page marking one item read, and the bell on
every page with the unread count."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import DEPARTMENT, Api
from live_support import write_inbox_item
from pages_support import Browser


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    client = Api(city, tmp_path)
    yield client
    client.close()


def subscriptions(api: Api, kind: str, subject: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = api.get(f"/notification-subscriptions?subject_kind={kind}&subject={subject}",
                                             "admin").json["subscriptions"]
    return found


def test_a_person_saves_and_removes_a_subscription_and_sees_the_refusal_by_field(api: Api) -> None:
    browser = Browser(api, "seat01")
    page = browser.get("/settings/notifications")
    assert page.status_code == 200 and 'name="channel"' in page.text
    saved = browser.client.post("/settings/notifications", data={
        "csrf_token": browser.token, "channel": "email", "address": "seat01@example.org", "events": ["supervision"],
        "locale": "en", "enabled": "on"}, follow_redirects=True)
    assert saved.status_code == 200
    mine = subscriptions(api, "person", "seat01")
    assert [(s["channel"], s["events"], s["locale"]) for s in mine] == [("email", ["supervision"], "en")]
    refused = browser.client.post("/settings/notifications", data={
        "csrf_token": browser.token, "channel": "email", "address": "not-an-address"}, follow_redirects=True)
    assert "address" in refused.text and "flash-error" in refused.text
    assert len(subscriptions(api, "person", "seat01")) == 1  # nothing half-written
    other = browser.client.post("/settings/notifications", data={
        "csrf_token": browser.token, "subject_kind": "group", "subject": DEPARTMENT, "channel": "in_app"})
    assert other.status_code == 403
    assert browser.client.get("/admin/notifications").status_code == 403
    removed = browser.client.post(f"/settings/notifications/{mine[0]['id']}/delete",
                                  data={"csrf_token": browser.token})
    assert removed.status_code == 302 and subscriptions(api, "person", "seat01") == []


def test_an_admin_edits_a_departments_subscriptions_on_the_admin_page(api: Api) -> None:
    admin = Browser(api, "admin")
    page = admin.get(f"/admin/notifications?group={DEPARTMENT}")
    assert page.status_code == 200 and DEPARTMENT in page.text
    assert admin.client.get("/admin/notifications?group=nobody").status_code == 404
    admin.client.post("/settings/notifications", data={
        "csrf_token": admin.token, "subject_kind": "group", "subject": DEPARTMENT, "channel": "email",
        "address": "d02@example.org", "enabled": "on"})
    found = subscriptions(api, "group", DEPARTMENT)
    assert [s["address"] for s in found] == ["d02@example.org"]
    admin.client.post(f"/settings/notifications/{found[0]['id']}/delete", data={"csrf_token": admin.token})
    assert subscriptions(api, "group", DEPARTMENT) == []


def test_the_bell_counts_on_every_page_and_the_inbox_marks_one_read(api: Api) -> None:
    user = "dispatcher01"
    api.post("/notifications/read", user, {"all": True})
    item = write_inbox_item(api.deps.db, user, "派遣提醒 Dispatch reminder")
    browser = Browser(api, user)
    for path in ("/inbox", "/cases", "/notifications"):
        page = browser.get(path)
        assert 'id="bell"' in page.text and 'data-unread="1"' in page.text, path
        assert 'data-stream="/events/stream"' in page.text
    assert "派遣提醒 Dispatch reminder" in browser.get("/notifications").text
    english = browser.get("/notifications?lang=en").text
    assert "Notifications (通知)" in english and "Mark all read" in english and "Notification settings" in english
    browser.client.post("/notifications/read", data={"csrf_token": browser.token, "id": str(item)})
    assert 'data-unread="0"' in browser.get("/notifications").text


def test_malformed_ids_on_the_inbox_page_are_refused_never_taken_for_all(api: Api) -> None:
    user = "dispatcher01"
    api.post("/notifications/read", user, {"all": True})
    write_inbox_item(api.deps.db, user, "一 one")
    write_inbox_item(api.deps.db, user, "二 two")
    browser = Browser(api, user)
    for before in ("²", "99999999999999999999", "x"):
        assert browser.get(f"/notifications?before={before}").status_code == 200, before  # the first page
    for chosen in ("²", "99999999999999999999", "abc"):
        refused = browser.client.post("/notifications/read", data={"csrf_token": browser.token, "id": chosen})
        assert refused.status_code == 400, chosen
    assert 'data-unread="2"' in browser.get("/notifications").text  # nothing was marked read
    away = browser.client.post("/notifications/read", data={"csrf_token": browser.token, "next": "/\\evil.example"})
    assert away.headers["Location"].endswith("/notifications")  # never to another site

