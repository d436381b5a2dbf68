"""Citizens' back end on SQLite and PostgreSQL (the commands, as every page and API sends them): the code sent
through the REAL outbox to a REAL local HTTP receiver, wrong and expired codes and tickets, the throttles (429 with
the wait), a report with photos becoming a case on channel citizen waiting for 核实, with its token row, followed,
the citizen told at once; hostile input refused with nothing written."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import POINT, Api, case_id, rows
from citizen_support import citizen_app, code_of, new_address, new_phone, png, report, sent_to, ticket_for
from notify_support import Receiver

from city.citizens.commands import CitizenPhoto, ConfirmPhone, ReportAsCitizen, RequestPhoneCode
from city.citizens.settings import NotConfigured
from engine.domain.errors import InvalidCommand, TooManyRequests
from engine.domain.forms import FieldsRejected


@pytest.fixture
def site(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, Receiver]]:
    yield from citizen_app(city, tmp_path, monkeypatch)


def _count(api: Api, table: str) -> int:
    return int(rows(api, f"SELECT COUNT(*) FROM {table}")[0][0])


def test_a_code_goes_through_the_outbox_and_gives_a_ticket(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone, address = new_phone(), new_address()
    assert api.bus.handle(RequestPhoneCode(f"+86 {phone[:3]}-{phone[3:7]} {phone[7:]}", address)) == 600
    code = code_of(api, receiver, phone)
    (body,) = sent_to(api, receiver, phone)
    assert "10 分钟内有效" in body and "请勿" in body
    stored = rows(api, "SELECT code_hash, attempts FROM phone_confirmations WHERE phone = :p", p=phone)
    assert len(stored) == 1 and code not in stored[0][0] and stored[0][1] == 0
    ticket = api.bus.handle(ConfirmPhone(phone, code, address))
    assert isinstance(ticket, str) and len(ticket) == 32
    (row,) = rows(api, "SELECT ticket_hash FROM phone_confirmations WHERE phone = :p", p=phone)
    assert row[0] == hashlib.sha256(ticket.encode()).hexdigest()


def test_wrong_codes_count_and_the_fifth_kills_the_code(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone, address = new_phone(), new_address()
    api.bus.handle(RequestPhoneCode(phone, address))
    code = code_of(api, receiver, phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidCommand) as refused:
            api.bus.handle(ConfirmPhone(phone, wrong, address))
        assert refused.value.field == "code" and f"{left} attempt" in refused.value.message
    with pytest.raises(InvalidCommand, match="no attempts are left"):
        api.bus.handle(ConfirmPhone(phone, wrong, address))
    assert rows(api, "SELECT attempts FROM phone_confirmations WHERE phone = :p", p=phone)[0][0] == 5
    with pytest.raises(InvalidCommand, match="ask for a new one") as dead:
        api.bus.handle(ConfirmPhone(phone, code, address))  # the right code, too late
    assert dead.value.field == "code"


def test_expired_code_and_ticket(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone, address = new_phone(), new_address()
    api.bus.handle(RequestPhoneCode(phone, address))
    code = code_of(api, receiver, phone)
    api.clock.advance(timedelta(minutes=10, seconds=1))  # type: ignore[attr-defined]
    with pytest.raises(InvalidCommand, match="expired"):
        api.bus.handle(ConfirmPhone(phone, code, address))
    api.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    ticket = ticket_for(api, receiver, phone, address)
    api.clock.advance(timedelta(minutes=30, seconds=1))  # type: ignore[attr-defined]
    cases = _count(api, "cases")
    with pytest.raises(InvalidCommand) as refused:
        api.bus.handle(ReportAsCitizen(ticket, phone, "0601", "垃圾", POINT["lon"], POINT["lat"], address))
    assert refused.value.field == "ticket" and _count(api, "cases") == cases


def test_code_throttles_per_phone_and_address(site: tuple[Api, Receiver]) -> None:
    api, _receiver = site
    phone, address = new_phone(), new_address()
    api.bus.handle(RequestPhoneCode(phone, address))
    with pytest.raises(TooManyRequests) as minute:
        api.bus.handle(RequestPhoneCode(phone, address))
    assert minute.value.field == "phone" and 0 < minute.value.retry_after <= 60
    for _ in range(4):
        api.clock.advance(timedelta(seconds=61))  # type: ignore[attr-defined]
        api.bus.handle(RequestPhoneCode(phone, address))
    api.clock.advance(timedelta(seconds=61))  # type: ignore[attr-defined]
    with pytest.raises(TooManyRequests) as hour:  # 5 an hour (unless the hour turned: then the minute's is next)
        api.bus.handle(RequestPhoneCode(phone, address))
    assert hour.value.field == "phone" and hour.value.retry_after > 0
    crowded = new_address()
    for _ in range(20):
        api.bus.handle(RequestPhoneCode(new_phone(), crowded))
    with pytest.raises(TooManyRequests) as per_address:
        api.bus.handle(RequestPhoneCode(new_phone(), crowded))
    assert per_address.value.field == "address"


def test_one_ipv6_64_is_one_address_and_codes_have_a_daily_cap(site: tuple[Api, Receiver],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    api, _receiver = site
    net = f"2001:db8:{uuid.uuid4().int % 65536:x}:{uuid.uuid4().int % 65536:x}"
    for host in range(1, 21):  # each code from another address of the same /64
        api.bus.handle(RequestPhoneCode(new_phone(), f"{net}::{host:x}"))
    with pytest.raises(TooManyRequests) as rotated:
        api.bus.handle(RequestPhoneCode(new_phone(), f"{net}:1:2:3:4"))
    assert rotated.value.field == "address"
    monkeypatch.setenv("GRIDCASE_CITIZEN_CODES_PER_DAY", "1")  # today's codes (this test's 20 at least) used up
    with pytest.raises(TooManyRequests, match="codes sent today in all"):
        api.bus.handle(RequestPhoneCode(new_phone(), new_address()))


def test_no_sms_setting_is_a_clear_503(site: tuple[Api, Receiver], monkeypatch: pytest.MonkeyPatch) -> None:
    api, _receiver = site
    monkeypatch.delenv("GRIDCASE_CITIZEN_SMS_ADDRESS")
    before = _count(api, "notifications")
    with pytest.raises(NotConfigured) as refused:
        api.bus.handle(RequestPhoneCode(new_phone(), new_address()))
    assert refused.value.http_status == 503 and "GRIDCASE_CITIZEN_SMS_ADDRESS" in refused.value.message
    assert _count(api, "notifications") == before


def test_a_report_becomes_a_citizen_case_waiting_for_verification(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone = new_phone()
    done = report(api, receiver, phone, photos=(CitizenPhoto(png(1), "a.png"), CitizenPhoto(png(2), "b.png")))
    assert len(done.token) == 43 and done.case_no not in done.token
    (case,) = rows(api, "SELECT channel, subtype FROM case_summaries WHERE case_id = :id", id=done.case_id)
    assert tuple(case) == ("citizen", "0601")
    ready = rows(api, "SELECT bpmn_id FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=done.case_id)
    assert [r[0] for r in ready] == ["verify_report"]
    (token_row,) = rows(api, "SELECT token, phone, updates, origin FROM citizen_reports WHERE case_id = :id",
                        id=done.case_id)
    assert tuple(token_row) == (done.token, phone, "sms", "citizen")
    assert rows(api, "SELECT stage FROM public_stages WHERE case_id = :id", id=done.case_id)[0][0] == "received"
    photos = rows(api, "SELECT sha256, uploaded_by FROM attachments WHERE case_id = :id ORDER BY sha256",
                  id=done.case_id)
    assert sorted(r[0] for r in photos) == sorted(hashlib.sha256(png(i)).hexdigest() for i in (1, 2))
    assert {r[1] for r in photos} == {"public:citizen"}
    assert case_id(api, done.case_no) == done.case_id
    (told,) = [b for b in sent_to(api, receiver, phone) if "验证码" not in b]
    assert "已受理" in told and f"https://city.example/t/{done.token}" in told and done.case_no in told


def test_report_throttle_per_phone(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone = new_phone()
    for _ in range(5):
        report(api, receiver, phone, photos=())
        api.clock.advance(timedelta(seconds=61))  # type: ignore[attr-defined]
    cases = _count(api, "cases")
    with pytest.raises(TooManyRequests) as refused:
        report(api, receiver, phone, photos=())
    assert refused.value.field == "phone" and refused.value.retry_after > 0
    assert _count(api, "cases") == cases


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"phone": "1390000\x0000"}, "phone"),
    ({"phone": "１３９００００００００"}, "phone"),  # full-width digits
    ({"phone": "1" * 5000}, "phone"),
    ({"phone": "٣٩٠٠٠٠٠٠٠٠١"}, "phone"),  # Arabic-Indic digits
    ({"updates": "fax"}, "updates"),
    ({"updates": "email", "email": "not-an-address"}, "email"),
    ({"description": "垃圾\x00"}, "description"),
    ({"description": "垃" * 5000}, "description"),
    ({"subtype_code": "０６０１"}, "subtype_code"),
    ({"lon": float("nan")}, "lon"),
    ({"lat": 10**5000}, "lat"),
    ({"lon": -(10**5000)}, "lon"),
    ({"lat": "24.51"}, "lat"),
    ({"lon": True}, "lon"),
    ({"photos": (CitizenPhoto(b"%PDF-1.4 not a photo", "x.pdf"),)}, "photos.0"),
    ({"photos": (CitizenPhoto(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "big.jpg"),)}, "photos.0"),
    ({"photos": tuple(CitizenPhoto(png(i)) for i in range(4))}, "photos"),
    ({"address": "x" * 5000}, "address"),
    ({"ticket": "t" * 5000}, "ticket"),
]


@pytest.mark.parametrize(("changes", "field"), HOSTILE)
def test_hostile_report_input_is_refused_with_nothing_written(site: tuple[Api, Receiver], changes: dict[str, Any],
                                                             field: str) -> None:
    api, receiver = site
    phone, address = new_phone(), new_address()
    fields: dict[str, Any] = {"ticket": ticket_for(api, receiver, phone, address), "phone": phone,
                              "subtype_code": "0601", "description": "垃圾", "lon": POINT["lon"], "lat": POINT["lat"],
                              "address": address, **changes}
    counts = [_count(api, t) for t in ("cases", "citizen_reports", "attachments", "rate_counts")]
    with pytest.raises((InvalidCommand, FieldsRejected)) as refused:
        api.bus.handle(ReportAsCitizen(**fields))
    error = refused.value
    named = set(error.fields) if isinstance(error, FieldsRejected) else {error.field}
    assert field in named and error.http_status == 422
    assert [_count(api, t) for t in ("cases", "citizen_reports", "attachments", "rate_counts")] == counts


@pytest.mark.parametrize(("phone", "code"), [("1390000\x0000", "123456"), ("1" * 5000, "123456"),
                                             (None, "123456"), ("13900000000", "１２３４５６"),
                                             ("13900000000", "1" * 5000), ("13900000000", "12345\x00")])
def test_hostile_codes_are_refused(site: tuple[Api, Receiver], phone: Any, code: str) -> None:
    api, _receiver = site
    before = _count(api, "phone_confirmations"), _count(api, "notifications")
    with pytest.raises(InvalidCommand) as refused:
        api.bus.handle(ConfirmPhone(phone, code, new_address()))
    assert refused.value.field in ("phone", "code") and refused.value.http_status == 422
    with pytest.raises(InvalidCommand):
        api.bus.handle(RequestPhoneCode(phone if phone != "13900000000" else code, new_address()))
    assert (_count(api, "phone_confirmations"), _count(api, "notifications")) == before


def test_updates_by_email_or_none(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    by_email = report(api, receiver, updates="email", email="citizen@example.org", locale="en")
    deliveries = rows(api, "SELECT d.channel, d.address, d.locale FROM notification_deliveries d JOIN notifications n"
                           " ON n.id = d.notification_id WHERE n.case_id = :id AND n.kind = 'citizen_update'",
                      id=by_email.case_id)
    assert [tuple(d) for d in deliveries] == [("email", "citizen@example.org", "en")]
    (row,) = rows(api, "SELECT updates, email, phone FROM citizen_reports WHERE token = :t", t=by_email.token)
    assert row[0] == "email" and row[1] == "citizen@example.org" and row[2] is not None
    silent = report(api, receiver, updates="none", email="ignored@example.org")
    assert rows(api, "SELECT COUNT(*) FROM notifications WHERE case_id = :id AND kind = 'citizen_update'",
                id=silent.case_id)[0][0] == 0
    assert rows(api, "SELECT email FROM citizen_reports WHERE token = :t", t=silent.token)[0][0] is None
