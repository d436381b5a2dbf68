"""The citizens' SMS address is checked against GRIDCASE_NOTIFY_HOSTS like any direct delivery (A-F1): refused at
start and at a code's request (503 naming the setting), never a 200 and a failed delivery nobody sees."""

from __future__ import annotations

import pytest

from city.citizens.messages import sms_target
from city.citizens.settings import SMS_SETTING, NotConfigured, check_sms, citizen_settings

OFF_LIST = {SMS_SETTING: "json://sms.example.net/send/{phone}", "GRIDCASE_NOTIFY_HOSTS": "127.0.0.1"}


def test_citizen_sms_host_off_the_list_refused_at_start() -> None:
    with pytest.raises(ValueError, match=SMS_SETTING) as refused:
        check_sms(citizen_settings(OFF_LIST))
    assert "GRIDCASE_NOTIFY_HOSTS" in str(refused.value)


def test_citizen_sms_host_off_the_list_refused_at_request() -> None:
    with pytest.raises(NotConfigured) as refused:
        sms_target(citizen_settings(OFF_LIST), "13800000000")
    assert refused.value.field == SMS_SETTING and refused.value.http_status == 503


def test_citizen_sms_host_on_the_list_passes() -> None:
    settings = citizen_settings({**OFF_LIST, "GRIDCASE_NOTIFY_HOSTS": "sms.example.net"})
    check_sms(settings)
    assert sms_target(settings, "13800000000") == ("webhook", "json://sms.example.net/send/13800000000")
