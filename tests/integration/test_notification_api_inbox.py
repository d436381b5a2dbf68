"""The notifications API on SQLite and PostgreSQL: the bell's inbox (paged, newest first, marked read one by one or
all), subscriptions (a person's own, a group's for admins; refusals name the field and write nothing), a case's
delivery log with masked addresses, and resending a failed delivery (supervisors, admins)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_support import DEPARTMENT, Api, error_of
from live_support import write_inbox_item
from pages_support import Browser

from web.api.notifications import masked

MEMBER = "dept_350602s07_01"


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    client = Api(city, tmp_path)
    yield client
    client.close()


def test_the_inbox_pages_newest_first_and_marks_read(api: Api) -> None:
    user = "shiftlead01"
    api.post("/notifications/read", user, {"all": True})
    ids = [write_inbox_item(api.deps.db, user, f"第{n}条 item {n}") for n in range(3)]
    first = api.get("/notifications?limit=2", user).json
    assert [i["id"] for i in first["items"]] == ids[::-1][:2] and first["unread"] == 3
    assert first["next_before"] == ids[1]
    rest = api.get(f"/notifications?limit=2&before={first['next_before']}", user).json
    assert ids[0] in [i["id"] for i in rest["items"]] and ids[1] not in [i["id"] for i in rest["items"]]
    assert set(error_of(api.get("/notifications?limit=0", user), 422)["fields"]) == {"limit"}
    assert set(error_of(api.get("/notifications?before=x", user), 422)["fields"]) == {"before"}
    for odd in ("²", "99999999999999999999", "9" * 5000):  # isdigit; the driver; int() refuses: 422, not 500
        assert set(error_of(api.get(f"/notifications?before={odd}", user), 422)["fields"]) == {"before"}
        assert set(error_of(api.get(f"/notifications?limit={odd}", user), 422)["fields"]) == {"limit"}
    assert api.post("/notifications/read", user, {"ids": [ids[2]]}).json == {"unread": 2}
    assert api.get("/notifications?limit=1", user).json["items"][0]["read_at"] is not None
    assert api.post("/notifications/read", "dispatcher01", {"ids": [ids[1]]}).status_code == 200  # not theirs
    assert api.get("/notifications", user).json["unread"] == 2  # another account's read changes nothing
    assert set(error_of(api.post("/notifications/read", user, {}), 422)["fields"]) == {"ids"}
    assert set(error_of(api.post("/notifications/read", user, {"ids": ["1"]}), 422)["fields"]) == {"ids"}
    assert set(error_of(api.post("/notifications/read", user, {"ids": list(range(1, 102))}), 422)["fields"]) == {"ids"}
    assert api.post("/notifications/read", user, {"all": True}).json == {"unread": 0}


def test_a_person_edits_their_own_subscriptions_and_refusals_name_the_field(api: Api) -> None:
    user = "collector001"
    saved = api.client.put("/api/v1/notification-subscriptions", headers=api.headers(user),
                           json={"channel": "email", "address": "c001@example.org", "events": ["task_assigned"]})
    assert saved.status_code == 200, saved.json
    assert saved.json["subject"] == user and saved.json["events"] == ["task_assigned"]
    mine = api.get("/notification-subscriptions", user).json["subscriptions"]
    assert [(s["channel"], s["address"]) for s in mine] == [("email", "c001@example.org")]
    for body, field in (({"channel": "pigeon"}, "channel"), ({"channel": "email", "address": "nope"}, "address"),
                        ({"channel": "email", "address": "a@b.org", "events": ["party"]}, "events"),
                        ({"channel": "email", "address": "a@b.org", "events": "task_assigned"}, "events"),
                        ({"channel": "in_app", "locale": "fr"}, "locale"), ({"address": "a@b.org"}, "channel"),
                        ({"channel": "in_app", "enabled": "yes"}, "enabled"),
                        ({"channel": "sms", "address": "ntfy://10.0.0.5:8080/t"}, "address"),
                        ({"channel": "email", "address": "mailto://a@b.org?smtp=127.0.0.1"}, "address"),
                        ({"channel": "webhook", "address": "jsons://hooks.example.org/x?verify=no"}, "address")):
        refused = api.client.put("/api/v1/notification-subscriptions", headers=api.headers(user), json=body)
        assert field in error_of(refused, 422).get("fields", {}) or field in refused.json["error"]["message"], body
    assert len(api.get("/notification-subscriptions", user).json["subscriptions"]) == 1  # nothing half-written
    other = api.client.put("/api/v1/notification-subscriptions", headers=api.headers(user),
                           json={"subject_kind": "group", "subject": DEPARTMENT, "channel": "in_app"})
    assert other.status_code == 403
    assert api.get(f"/notification-subscriptions?subject_kind=group&subject={DEPARTMENT}", user).status_code == 403
    gone = api.client.delete(f"/api/v1/notification-subscriptions/{mine[0]['id']}", headers=api.headers("seat01"))
    assert gone.status_code == 404  # someone else's is not told to exist
    deleted = api.client.delete(f"/api/v1/notification-subscriptions/{mine[0]['id']}", headers=api.headers(user))
    assert deleted.status_code == 204
    assert api.get("/notification-subscriptions", user).json["subscriptions"] == []


def test_an_admin_sets_a_departments_subscriptions(api: Api) -> None:
    body = {"subject_kind": "group", "subject": DEPARTMENT, "channel": "webhook",
            "address": "jsons://hooks.example.org/d02/secret", "locale": "en"}
    saved = api.client.put("/api/v1/notification-subscriptions", headers=api.headers("admin"), json=body)
    assert saved.status_code == 200, saved.json
    again = api.client.put("/api/v1/notification-subscriptions", headers=api.headers("admin"),
                           json={**body, "subject": f" {DEPARTMENT} ", "enabled": False})  # the name is trimmed
    assert again.status_code == 200 and again.json["id"] == saved.json["id"] and again.json["enabled"] is False
    listed = api.get(f"/notification-subscriptions?subject_kind=group&subject={DEPARTMENT}", "admin").json
    assert [s["address"] for s in listed["subscriptions"]] == [body["address"]]
    assert api.get(f"/notification-subscriptions?subject_kind=group&subject={DEPARTMENT}", MEMBER).status_code == 403
    api.client.delete(f"/api/v1/notification-subscriptions/{saved.json['id']}", headers=api.headers("admin"))


def test_the_case_delivery_log_masks_addresses_and_a_supervisor_resends_a_failed_one(api: Api) -> None:
    address = "d02.member@example.org"
    api.client.put("/api/v1/notification-subscriptions", headers=api.headers(MEMBER),
                   json={"channel": "email", "address": address})
    case_no = api.new_case()
    api.to_disposal(case_no)  # 派遣 to the department: its members are told
    log = api.get(f"/cases/{case_no}/notifications", "supervisor01").json["notifications"]
    deliveries = [d for item in log for d in item["deliveries"] if d["channel"] == "email"]
    assert deliveries and all(d["address"] == "d…@example.org" for d in deliveries)
    assert address not in api.get(f"/cases/{case_no}/notifications", "supervisor01").get_data(as_text=True)
    delivery = deliveries[0]
    assert api.post(f"/notifications/deliveries/{delivery['id']}/resend", "supervisor01").status_code == 409
    with api.deps.db.begin() as conn:  # as the sender leaves one after its last attempt
        conn.execute(sa.text("UPDATE notification_deliveries SET status = 'failed', last_error = 'smtp 550'"
                             " WHERE id = :d"), {"d": delivery["id"]})
    assert api.post(f"/notifications/deliveries/{delivery['id']}/resend", MEMBER).status_code == 403
    again = api.post(f"/notifications/deliveries/{delivery['id']}/resend", "supervisor01")
    assert again.status_code == 200, again.json
    assert again.json["status"] == "queued" and again.json["address"] == "d…@example.org"
    assert api.post("/notifications/deliveries/999999/resend", "admin").status_code == 404
    page = Browser(api, "supervisor01").get(f"/cases/{case_no}")
    assert "d…@example.org" in page.text and address not in page.text
    mine = api.get("/notification-subscriptions", MEMBER).json["subscriptions"]
    api.client.delete(f"/api/v1/notification-subscriptions/{mine[0]['id']}", headers=api.headers(MEMBER))
    with api.deps.db.begin() as conn:  # failed again after the member unsubscribed
        conn.execute(sa.text("UPDATE notification_deliveries SET status = 'failed' WHERE id = :d"),
                     {"d": delivery["id"]})
    refused = api.post(f"/notifications/deliveries/{delivery['id']}/resend", "supervisor01")
    assert "delivery_id" in str(error_of(refused, 422))
    assert api.get(f"/cases/{case_no}/notifications", "supervisor01").json["notifications"]  # still readable


def test_addresses_are_masked() -> None:
    assert masked("zhang.san@example.org") == "z…@example.org"
    assert masked("+86 138 0013 8000") == "…8000"
    assert masked("https://user:pw@hooks.example.org:8443/x?key=k") == "https://hooks.example.org/…"
    # the "host" of these is a key or token: only the scheme and its last four characters are shown
    assert masked("wecombot://693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa") == "wecombot://…5aaa"
    assert masked("dingtalk://SECRETsecret@0123456789abcdefTOKEN/") == "dingtalk://…OKEN"
    assert masked("tgram://123456789:AAHbotTokenXYZ/987654321") == "tgram://…4321"
    assert masked("twilio://ACsid:authtoken@15551234567/15557654321") == "twilio://…4321"
    assert masked("clicksend://user:apikey@13800138000") == "clicksend://…8000"
    assert masked("") == ""
