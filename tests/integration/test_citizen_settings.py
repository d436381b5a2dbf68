"""The citizens' settings on SQLite and PostgreSQL: a bad value stops the start naming it (every entry point
bootstraps), and one set after the start never fails a staff step on a citizen's case; the ``log://`` sink marks a
citizen's code sent and writes it to the scheduler's log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, rows
from citizen_support import citizen_app, new_address, new_phone, report, sent_to
from notify_support import Receiver

from city.citizens import wiring as citizen_wiring
from city.citizens.commands import RequestPhoneCode
from engine.scheduling.notifications import NotificationLoop


@pytest.fixture
def site(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, Receiver]]:
    yield from citizen_app(city, tmp_path, monkeypatch)


def test_a_bad_setting_stops_the_start_naming_it(site: tuple[Api, Receiver], monkeypatch: pytest.MonkeyPatch) -> None:
    api, _ = site
    hooks = list(api.bus.deps.step_hooks)
    monkeypatch.setenv("GRIDCASE_CITIZEN_CODE_MINUTES", "ten")
    with pytest.raises(ValueError, match="GRIDCASE_CITIZEN_CODE_MINUTES"):
        citizen_wiring.install(api.bus)  # what city.bootstrap calls for the web app, the CLI and the scheduler
    assert api.bus.deps.step_hooks == hooks


def test_a_bad_setting_after_the_start_does_not_fail_staff_steps(site: tuple[Api, Receiver],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    api, receiver = site
    phone = new_phone()
    done = report(api, receiver, phone=phone, updates="sms")
    monkeypatch.setenv("GRIDCASE_CITIZEN_REPORTS_PER_DAY", "0")  # an operator's typo in an unrelated throttle
    api.to_disposal(done.case_no)  # 核实, 立案, 派遣: each a stage the citizen is told
    assert any("已派遣" in body or "dispatched" in body.lower() for body in sent_to(api, receiver, phone))


def test_the_log_sink_marks_the_code_sent_and_logs_it(site: tuple[Api, Receiver], monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    api, _ = site
    monkeypatch.setenv("GRIDCASE_CITIZEN_SMS_ADDRESS", "log://")
    phone = new_phone()
    api.bus.handle(RequestPhoneCode(phone, new_address()))
    with caplog.at_level(logging.WARNING, logger="engine.scheduling.notify_send"):
        NotificationLoop(api.bus).run_once()
    status = rows(api, "SELECT status FROM notification_deliveries WHERE address = :a", a=f"log://{phone}")
    assert [s[0] for s in status] == ["sent"]
    assert phone in caplog.text and "验证码" in caplog.text
