"""The citizens' back-end tests' helpers: the seeded city's app on a fake clock with SMS codes going through the
real outbox to a real local HTTP receiver, the code read from what it received, and a confirmed phone's report."""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from api_support import POINT, Api
from notify_support import Receiver, http_receiver

from city.bootstrap import bootstrap
from city.citizens.commands import CitizenPhoto, CitizenReported, ConfirmPhone, ReportAsCitizen, RequestPhoneCode
from engine.domain.clock import FakeClock
from engine.scheduling.notifications import NotificationLoop
from web.app import create_app
from web.settings import Settings

_PHONES = iter(range(10**8))


def png(seed: int = 0) -> bytes:
    """A real 1×1 PNG (its colour from ``seed``: different seeds, different bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00" + bytes([seed % 256, (seed // 256) % 256, 7])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def new_phone() -> str:
    """A mobile number no other test of the module uses (the throttles count per phone)."""
    return f"139{uuid.uuid4().int % 10**8:08d}"


def new_address() -> str:
    """A client address of the test's own."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def citizen_app(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, Receiver]]:
    """The app over the seeded city, its engine on a fake clock (``api.clock``), codes sent to a real receiver."""
    with http_receiver() as receiver:
        monkeypatch.setenv("GRIDCASE_CITIZEN_SMS_ADDRESS", receiver.url("/sms/{phone}"))
        monkeypatch.setenv("GRIDCASE_ATTACHMENTS_DIR", str(tmp_path / "att"))
        monkeypatch.setenv("GRIDCASE_PUBLIC_BASE_URL", "https://city.example")
        api = Api(city, tmp_path)
        api.close()
        clock = FakeClock(datetime.now(UTC))
        api.clock = clock  # type: ignore[attr-defined]
        settings = Settings.from_env({"GRIDCASE_DATABASE_URL": city, "GRIDCASE_SECRET_KEY": "test",
                                      "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "att"),
                                      "GRIDCASE_NOTIFY_HOSTS": "127.0.0.1"})
        api.app = create_app(settings, bootstrap(city, clock, working_time=settings.working_time()))
        api.client = api.app.test_client()
        yield api, receiver
        api.close()


def sent_to(api: Api, receiver: Receiver, phone: str) -> list[str]:
    """Send the due deliveries; the message bodies ``phone`` received so far, oldest first."""
    NotificationLoop(api.bus).run_once()
    return [str(body) for _, path, body in receiver.posts if path.endswith("/" + phone)]


def code_of(api: Api, receiver: Receiver, phone: str) -> str:
    """The code in the last SMS ``phone`` received."""
    bodies = [b for b in sent_to(api, receiver, phone) if "验证码" in b]  # not the news of an earlier report
    assert bodies, receiver.posts
    found = re.findall(r"(?<!\d)\d{6}(?!\d)", bodies[-1])
    assert found, bodies[-1]
    return found[0]


def ticket_for(api: Api, receiver: Receiver, phone: str, address: str) -> str:
    """A confirmed phone's ticket (a code asked, read from the SMS, confirmed)."""
    api.bus.handle(RequestPhoneCode(phone, address))
    ticket: str = api.bus.handle(ConfirmPhone(phone, code_of(api, receiver, phone), address))
    return ticket


def report(api: Api, receiver: Receiver, phone: str | None = None, address: str | None = None,
           **changes: Any) -> CitizenReported:
    """A confirmed citizen's report of 0601 暴露垃圾 at the API tests' point (one photo)."""
    phone, address = phone or new_phone(), address or new_address()
    fields: dict[str, Any] = {"ticket": ticket_for(api, receiver, phone, address), "phone": phone,
                              "subtype_code": "0601", "description": "路边有垃圾", "lon": POINT["lon"],
                              "lat": POINT["lat"], "address": address, "photos": (CitizenPhoto(png(1), "a.png"),),
                              **changes}
    found: CitizenReported = api.bus.handle(ReportAsCitizen(**fields))
    return found


def close_case(api: Api, case_no: str, photo: str | None = None) -> None:
    """Drive the citizen's case through 核实, 立案, 派遣, 处置 (with ``photo`` as its evidence) and 核查 to 结案."""
    api.to_disposal(case_no)
    disposal: dict[str, Any] = {"outcome": "disposed", "result": "已清运"}
    if photo is not None:
        disposal["evidence"] = [photo]
    api.step(case_no, "dispose_problem", "dept_350602s07_01", {"disposal": disposal})
    api.step(case_no, "check_on_site", "collector001", {"check": {"passed": True}})
    api.step(case_no, "close_case", "shiftlead01", {"closing": {"close_type": "normal"}})
