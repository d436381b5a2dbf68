"""What staff may and may not learn of a citizen, on SQLite and PostgreSQL: the tracking token and the code never
in the delivery log (API or case page) nor kept once sent; the 回访 task shows the seat operator how to reach the
citizen; two ratings of one case at once give one rating and one 409."""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import Api, rows
from citizen_support import citizen_app, close_case, code_of, new_address, new_phone, report, sent_to
from notify_support import Receiver
from pages_support import Browser

from city.citizens.commands import CitizenPhoto, RateResult, RequestPhoneCode
from engine.domain.errors import ConcurrencyConflict

STAFF = ("seat01", "collector001", "dept_350602s07_01", "shiftlead01", "admin")


@pytest.fixture
def site(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, Receiver]]:
    yield from citizen_app(city, tmp_path, monkeypatch)


def test_staff_never_read_the_token_in_the_delivery_log(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone = new_phone()
    done = report(api, receiver, phone=phone, updates="sms")
    close_case(api, done.case_no)
    log = api.get(f"/cases/{done.case_no}/notifications", "seat01")
    assert done.token not in log.get_data(as_text=True)  # not even while the delivery waits
    assert any(done.token in body for body in sent_to(api, receiver, phone))  # the citizen got their link
    for who in STAFF:
        log = api.get(f"/cases/{done.case_no}/notifications", who)
        assert log.status_code == 200, (who, log.json)
        assert any(n["kind"] == "citizen_update" for n in log.json["notifications"]), who
        assert done.token not in log.get_data(as_text=True), who
        page = Browser(api, who).get(f"/cases/{done.case_no}")
        assert page.status_code == 200 and done.token not in page.text, who
    # once sent, the token is not kept in the notifications either (only the citizen_reports row holds it)
    kept = rows(api, "SELECT data FROM notifications WHERE kind = 'citizen_update' AND case_id = :c",
                c=done.case_id)
    assert kept and all(done.token not in str(row[0]) for row in kept)


def test_the_code_is_not_kept_once_sent(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone = new_phone()
    api.bus.handle(RequestPhoneCode(phone, new_address()))
    code = code_of(api, receiver, phone)
    kept = rows(api, "SELECT data FROM notifications WHERE kind = 'citizen_code'")
    assert kept and all(code not in str(row[0]) for row in kept)


def test_the_callback_task_shows_the_citizens_contact(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone = new_phone()
    done = report(api, receiver, phone=phone, email="resident@example.org", updates="email")
    close_case(api, done.case_no)
    api.bus.handle(RateResult(done.token, "dissatisfied", new_address(), "还有垃圾"))
    tasks = [t for t in api.get("/tasks", "seat01").json["tasks"] if t["bpmn_id"] == "call_back_citizen"
             and t["case_no"] != done.case_no]
    assert tasks
    page = Browser(api, "seat01").get(f"/tasks/{tasks[-1]['id']}")
    assert page.status_code == 200
    assert 'id="citizen-contact"' in page.text and phone in page.text and "resident@example.org" in page.text
    assert done.token not in page.text
    for who in ("shiftlead01", "dept_350602s07_01"):  # they may see the task, they do not work it
        other = Browser(api, who).get(f"/tasks/{tasks[-1]['id']}")
        assert phone not in other.text and 'id="citizen-contact"' not in other.text, who
    # read at render time, not copied into the case's data or its audit log
    case_id = int(rows(api, "SELECT case_id FROM case_summaries WHERE case_no = :n", n=tasks[-1]["case_no"])[0][0])
    assert not [r for r in rows(api, "SELECT data FROM case_events WHERE case_id = :c", c=case_id)
                if phone in str(r[0])]


def _together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` in threads released at the same moment; each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            out[i] = call()
        except Exception as exc:  # the test looks at which exception it was
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


@pytest.mark.parametrize("rating", ["satisfied", "dissatisfied"])
def test_two_ratings_at_once_one_wins(site: tuple[Api, Receiver], rating: str) -> None:
    api, receiver = site
    done = report(api, receiver)
    close_case(api, done.case_no)
    out = _together([lambda: api.bus.handle(RateResult(done.token, rating, new_address(), "a")),
                     lambda: api.bus.handle(RateResult(done.token, rating, new_address(), "b"))])
    conflicts = [o for o in out if isinstance(o, ConcurrencyConflict)]
    assert len(conflicts) == 1 and conflicts[0].http_status == 409, out
    kept = rows(api, "SELECT callback_case_id FROM citizen_ratings WHERE case_id = :c", c=done.case_id)
    assert len(kept) == 1 and (kept[0][0] is not None) == (rating == "dissatisfied")


def test_a_photo_on_the_public_link_has_no_exif(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    exif = b"Exif\x00\x00MM\x00*GPSLatitude 24.51N Artist Zhang San"
    table = b"\xff\xdb\x00\x43\x00" + bytes(64)
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\x34\xff\xd9"
    photo = b"\xff\xd8\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + table + scan
    done = report(api, receiver, photos=(CitizenPhoto(photo, "gps.jpg"),))
    served = api.client.get(f"/t/{done.token}/photos/{hashlib.sha256(photo).hexdigest()}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data == b"\xff\xd8" + table + scan  # the pixels kept, the GPS position and the author gone
