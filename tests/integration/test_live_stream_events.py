"""The live channel (``GET /api/v1/events/stream``) on SQLite (the poller) and PostgreSQL (LISTEN/NOTIFY): the
bell's count first and on each new inbox item, a task list's change when a case is dispatched to the department,
keep-alive comments, sign-in required, at most five streams per account, streams closed when the server stops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import DEPARTMENT, Api
from live_support import STREAM, EventReader, open_stream, write_inbox_item
from pages_support import Browser

from web.live import HUB
from web.live.hub import Hub, TooManyStreams

MEMBER = "dept_350602s07_01"


@pytest.fixture
def live(city: str, tmp_path: Path) -> Iterator[Api]:
    """The app over the seeded city, its streams' keep-alive every 0.3 s and the poller every 0.2 s."""
    api = Api(city, tmp_path)
    api.app.config["GRIDCASE_LIVE_HEARTBEAT"] = 0.3
    api.app.extensions[HUB + ".poll_every"] = 0.2
    yield api
    api.app.extensions[HUB].close()
    api.close()





def test_a_stream_needs_a_signed_in_caller(live: Api) -> None:
    response = live.client.get("/api/v1/events/stream")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    bad = live.client.get("/api/v1/events/stream", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_the_bell_count_comes_first_then_with_every_new_inbox_item(live: Api) -> None:
    response = open_stream(live, MEMBER)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    reader = EventReader(response)
    try:
        name, first = reader.next_event()
        assert name == "inbox" and reader.retry == 5000
        write_inbox_item(live.deps.db, MEMBER)
        reader.next_event(want=("inbox", {"unread": first["unread"] + 1}))
        write_inbox_item(live.deps.db, "someone_else")  # another account's item is not this stream's
        write_inbox_item(live.deps.db, MEMBER, "第二条 Second")
        reader.next_event(want=("inbox", {"unread": first["unread"] + 2}))  # a state may be told twice
        assert reader.next_comment(timeout=3) == ": keep-alive"
    finally:
        reader.close()


def test_a_case_dispatched_to_the_department_tells_its_members_streams(live: Api) -> None:
    case_no = live.new_case()
    task = live.to_dispatch(case_no)
    member, dispatcher = EventReader(open_stream(live, MEMBER)), EventReader(open_stream(live, "dispatcher01"))
    try:
        before = member.next_event(name="inbox")[1]["unread"]
        dispatcher.next_event(name="inbox")
        if live.deps.db.dialect.name == "sqlite":  # the poller first tells a new stream's groups to look once
            for reader, targets in ((member, (DEPARTMENT, MEMBER)), (dispatcher, ("dispatcher", "dispatcher01"))):
                for target in targets:
                    reader.next_event(want=("tasks", {"group": target}))
        live.complete(task["id"], {"dispatch": {}}, "dispatcher01")  # PostgreSQL: the step's pg_notify
        member.next_event(want=("tasks", {"group": DEPARTMENT}))
        member.next_event(want=lambda e: e[0] == "inbox" and e[1]["unread"] > before)  # 派遣: members are told
        dispatcher.next_event(want=("tasks", {"group": "dispatcher"}))  # its list lost the task
    finally:
        member.close()
        dispatcher.close()


def test_the_pages_stream_answers_the_session(live: Api) -> None:
    browser = Browser(live, MEMBER)
    response = browser.client.get("/events/stream", headers=STREAM, buffered=False)
    assert response.status_code == 200
    reader = EventReader(response)
    try:
        assert reader.next_event()[0] == "inbox"
    finally:
        reader.close()
    assert live.app.test_client().get("/events/stream", headers=STREAM).status_code == 401
    refused = live.client.get("/api/v1/events/stream", headers=live.headers(MEMBER))  # reads to the end: no stream
    assert refused.status_code == 406 and "text/event-stream" in refused.json["error"]["message"]


def test_an_account_holds_at_most_five_streams(live: Api) -> None:
    readers = [EventReader(open_stream(live, MEMBER)) for _ in range(5)]
    try:
        for reader in readers:
            reader.next_event()
        refused = open_stream(live, MEMBER)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "30"
        assert "5" in refused.json["error"]["message"]
        other = EventReader(open_stream(live, "dispatcher01"))  # another account is not limited by this one
        other.next_event()
        other.close()
        readers.pop().close()
        hub = live.app.extensions[HUB]
        assert hub.count(MEMBER) == 4
        again = open_stream(live, MEMBER)
        assert again.status_code == 200
        readers.append(EventReader(again))
    finally:
        for reader in readers:
            reader.close()


def test_a_tabs_new_stream_replaces_its_older_one(live: Api) -> None:
    readers = [EventReader(open_stream(live, MEMBER, f"/api/v1/events/stream?tab=t{n}")) for n in range(5)]
    try:
        for reader in readers:
            reader.next_event()
        assert open_stream(live, MEMBER, "/api/v1/events/stream?tab=t9").status_code == 429  # a sixth tab
        again = open_stream(live, MEMBER, "/api/v1/events/stream?tab=t0")  # tab t0 moved to another page
        assert again.status_code == 200
        assert readers[0].next_event(name="replaced") == ("replaced", {})  # told, then ended
        assert readers[0].ended()
        readers[0] = EventReader(again)
        readers[0].next_event()
        assert live.app.extensions[HUB].count(MEMBER) == 5
        assert open_stream(live, MEMBER, "/api/v1/events/stream?tab=../x").status_code == 429  # no tab: counted
    finally:
        for reader in readers:
            reader.close()


def test_streams_end_when_the_server_stops(live: Api) -> None:
    reader = EventReader(open_stream(live, MEMBER))
    reader.next_event()
    live.app.extensions[HUB].close()
    assert reader.ended()
    assert open_stream(live, MEMBER).status_code == 503


def test_a_slow_client_loses_the_oldest_events_and_another_group_hears_nothing() -> None:
    hub = Hub(per_account=2, per_process=3)
    slow = hub.join("slow", frozenset({"g1"}))
    other = hub.join("other", frozenset({"g2"}))
    for unread in range(150):
        hub.inbox("slow", unread)
    hub.tasks("g1")
    events = [slow.events.get_nowait() for _ in range(slow.events.qsize())]
    assert len(events) == 100 and events[-1] == ("tasks", {"group": "g1"})
    assert events[-2] == ("inbox", {"unread": 149})  # the newest state survives
    assert other.events.empty()
    hub.join("slow", frozenset({"g1"}))
    with pytest.raises(TooManyStreams) as refused:
        hub.join("another", frozenset())  # this process holds all it may
    assert not refused.value.per_account
    assert hub.accounts() == {"slow", "other"}
    hub.leave(other)
    assert hub.accounts() == {"slow"} and hub.groups() == {"g1"}
