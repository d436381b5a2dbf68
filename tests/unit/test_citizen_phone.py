"""A citizen's phone number normalised, the code and ticket kept as hashes, the settings, the message templates."""

from __future__ import annotations

import hashlib

import pytest

from city.citizens.phone import (
    check_code,
    code_hash,
    code_matches,
    new_code,
    new_salt,
    new_ticket,
    normalise_phone,
    throttle_key,
    ticket_hash,
)
from city.citizens.settings import NotConfigured, citizen_settings
from engine.domain import notifications as n
from engine.domain.errors import InvalidCommand
from engine.domain.notification_templates import FIELDS, TEMPLATES, render


@pytest.mark.parametrize("raw", ["13912345678", "+8613912345678", "+86 139-1234-5678", " 0086 139 1234 5678 ",
                                 "139 1234 5678"])
def test_ways_of_writing_a_mobile_number(raw: str) -> None:
    assert normalise_phone(raw) == "13912345678"


@pytest.mark.parametrize("raw", ["12912345678", "1391234567", "139123456789", "１３９１２３４５６７８", "١٣٩١٢٣٤٥٦٧٨",
                                 "139\x0012345678", "1" * 5000, "+1 139 1234 5678", "", None, 13912345678,
                                 "139.1234.5678", "+86+8613912345678"])
def test_anything_else_is_refused_naming_phone(raw: object) -> None:
    with pytest.raises(InvalidCommand) as refused:
        normalise_phone(raw)
    assert refused.value.field == "phone"


@pytest.mark.parametrize("raw", ["12345", "1234567", "１２３４５６", "12345\x00", "abcdef", None, "9" * 5000])
def test_a_code_is_six_ascii_digits(raw: object) -> None:
    with pytest.raises(InvalidCommand) as refused:
        check_code(raw)
    assert refused.value.field == "code"
    assert check_code(" 012345 ") == "012345"


def test_codes_are_kept_salted_and_checked_by_phone() -> None:
    code = new_code()
    assert len(code) == 6 and code.isdigit()
    first, second = code_hash("13912345678", code, new_salt()), code_hash("13912345678", code, new_salt())
    assert len(first) == 64 and first != second and code not in first[16:]
    assert code_matches(first, "13912345678", code) and code_matches(second, "13912345678", code)
    assert not code_matches(first, "13912345679", code)
    assert not code_matches(first, "13912345678", f"{(int(code) + 1) % 10**6:06d}")
    assert not code_matches("short", "13912345678", code)


def test_tickets_are_random_and_kept_as_sha256() -> None:
    ticket = new_ticket()
    assert len(ticket) == 32 and ticket != new_ticket()
    assert ticket_hash(ticket) == hashlib.sha256(ticket.encode()).hexdigest()


def test_settings_name_the_missing_sms_address() -> None:
    settings = citizen_settings({})
    with pytest.raises(NotConfigured) as missing:
        settings.sms_for("13912345678")
    assert missing.value.http_status == 503 and missing.value.field == "GRIDCASE_CITIZEN_SMS_ADDRESS"
    assert settings.link("abc") == "/t/abc"
    webhook = citizen_settings({"GRIDCASE_CITIZEN_SMS_ADDRESS": "json://127.0.0.1:9/sms/{phone}",
                                "GRIDCASE_PUBLIC_BASE_URL": "https://city.example/"})
    assert webhook.sms_for("13912345678") == ("webhook", "json://127.0.0.1:9/sms/13912345678")
    assert webhook.link("abc") == "https://city.example/t/abc"
    sms = citizen_settings({"GRIDCASE_CITIZEN_SMS_ADDRESS": "twilio://SID:TOKEN@+8610000000/{phone}"})
    assert sms.sms_for("13912345678")[0] == "sms"
    with pytest.raises(ValueError, match="GRIDCASE_CITIZEN_CODE_MINUTES"):
        citizen_settings({"GRIDCASE_CITIZEN_CODE_MINUTES": "١٠"})


def test_the_citizens_templates() -> None:
    assert {n.PUBLIC_CODE, n.PUBLIC_UPDATE} <= set(n.KINDS)
    code = render(n.PUBLIC_CODE, "zh", {"code": "012345", "minutes": 10})
    assert "012345" in code.body and "10 分钟" in code.body and "请勿" in code.body
    english = render(n.PUBLIC_CODE, "en", {"code": "012345", "minutes": 10})
    assert "10 minutes" in english.body and "Never share" in english.body
    update = render(n.PUBLIC_UPDATE, "en", {"case_no": "20261207000001", "stage": "Closed", "message": "Thanks.",
                                            "link": "/t/abc"})
    assert (update.title, "/t/abc" in update.body) == ("[Closed] Your report 20261207000001", True)
    for kind in (n.PUBLIC_CODE, n.PUBLIC_UPDATE):
        for title, body in TEMPLATES[kind].values():
            names = {part.split("}")[0] for part in (title + body).split("{")[1:]}
            assert names <= set(FIELDS), names


@pytest.mark.parametrize(("address", "key"), [
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("::ffff:10.1.2.3", "10.1.2.3"),
    ("10.1.2.3", "10.1.2.3"),
    ("not an address", "not an address"),
])
def test_throttles_count_an_ipv6_address_by_its_64(address: str, key: str) -> None:
    assert throttle_key(address) == key
