"""The development sink ``log://`` (``gridcase run``'s default citizens' SMS address): accepted as an SMS address,
never sent anywhere, the message written to the sender's log at WARNING; and the citizens' settings checked at
start, the step hooks' reader never failing over a throttle's bad value."""

from __future__ import annotations

import logging

import pytest

from city.citizens.settings import citizen_settings, reach_settings
from engine.domain.notifications import SmtpSettings, address_problem
from engine.scheduling.notify_send import send


def test_a_log_address_is_written_to_the_log_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="engine.scheduling.notify_send"):
        error = send("sms", "log://13900000001", "验证码", "您的验证码是 123456", SmtpSettings.from_env({}))
    assert error is None
    assert "13900000001" in caplog.text and "您的验证码是 123456" in caplog.text


def test_log_is_an_sms_address_and_the_citizens_default() -> None:
    assert address_problem("sms", "log://13900000001") is None
    assert address_problem("webhook", "log://x") is not None  # only sms takes it
    assert citizen_settings({"GRIDCASE_CITIZEN_SMS_ADDRESS": "log://"}).sms_for("13900000001") == (
        "sms", "log://13900000001")


def test_a_bad_setting_is_named_but_the_hooks_reader_never_fails() -> None:
    env = {"GRIDCASE_CITIZEN_REPORTS_PER_DAY": "0", "GRIDCASE_PUBLIC_BASE_URL": "https://city.example"}
    with pytest.raises(ValueError, match="GRIDCASE_CITIZEN_REPORTS_PER_DAY"):
        citizen_settings(env)
    assert reach_settings(env).link("abc") == "https://city.example/t/abc"
