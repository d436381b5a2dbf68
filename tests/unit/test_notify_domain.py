"""The pure part of notifications: templates in zh and en (missing fields as "—"), quiet-hours and rate-limit
arithmetic on a fake clock, the back-off, the settings' parsing and addresses per channel."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.domain import notifications as n
from engine.domain.clock import FakeClock
from engine.domain.notification_hosts import host_problem, parse_hosts
from engine.domain.notification_templates import MISSING, TEMPLATES, render
from engine.scheduling.notify_send import Timeouts, apprise_url, sender_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_every_kind_has_a_chinese_and_an_english_template() -> None:
    assert set(TEMPLATES) == set(n.KINDS)
    assert all(set(texts) == {"zh", "en"} for texts in TEMPLATES.values())


def test_templates_fill_the_data_and_show_the_due_time_in_the_city_zone() -> None:
    data = {"case_no": "C-9", "task_name": "处置", "department": "环卫", "due_at": "2026-11-03T01:00:00+00:00",
            "link": "/tasks/t1"}
    zh = render(n.TASK_ASSIGNED, "zh", data)
    assert zh.title == "【派遣】案件 C-9：处置"
    assert zh.body == "案件 C-9 的任务“处置”已派遣给 环卫，请于 2026年11月03日 09:00 前办理。/tasks/t1"
    en = render(n.TASK_ASSIGNED, "en", data)
    assert en.title == "[Dispatched] Case C-9: 处置"
    assert "due 2026-11-03 09:00" in en.body


def test_missing_or_odd_fields_render_as_a_dash_never_an_error() -> None:
    text = render(n.SUPERVISION, "zh", {"case_no": None, "{bad}": 1, "due_at": "not-a-time-at-all-really"})
    assert text.title == f"【督办】案件 {MISSING}"
    assert f"被督办：{MISSING}" in text.body and "not-a-time-at-all-really" in text.body
    assert render("unheard_of", "fr", {}).title == "gridcase: unheard_of"  # unknown kind and locale: no crash


def test_quiet_hours_across_midnight() -> None:
    quiet = n.QuietHours.parse("22:00-07:00")
    assert quiet is not None and (quiet.start, quiet.end) == (time(22), time(7))
    at = datetime(2026, 11, 2, 22, 0, tzinfo=SHANGHAI)
    assert quiet.contains(at) and quiet.contains(at + timedelta(hours=8, minutes=59))
    assert not quiet.contains(at - timedelta(seconds=1)) and not quiet.contains(at + timedelta(hours=9))
    assert quiet.end_after(at) == datetime(2026, 11, 3, 7, 0, tzinfo=SHANGHAI)
    assert quiet.end_after(at + timedelta(hours=3)) == datetime(2026, 11, 3, 7, 0, tzinfo=SHANGHAI)
    lunch = n.QuietHours.parse("12:00-13:30")
    assert lunch is not None and lunch.contains(datetime(2026, 11, 2, 12, 10, tzinfo=SHANGHAI))
    assert not lunch.contains(datetime(2026, 11, 2, 22, 0, tzinfo=SHANGHAI))
    assert n.QuietHours.parse("  ") is None


def test_release_time_waits_for_the_next_duty_moment_after_the_quiet_hours() -> None:
    clock = FakeClock(datetime(2026, 11, 6, 15, 0, tzinfo=UTC))  # Friday 23:00 in Shanghai
    quiet = n.QuietHours.parse("22:00-07:00")
    monday_8 = datetime(2026, 11, 9, 8, 0, tzinfo=SHANGHAI)
    assert n.release_time(quiet, clock.now(), lambda moment: monday_8) == monday_8
    assert n.release_time(quiet, clock.now()) == datetime(2026, 11, 7, 7, 0, tzinfo=SHANGHAI)
    clock.advance(hours=8)  # Saturday 07:00: out of the quiet hours
    assert n.release_time(quiet, clock.now(), lambda moment: monday_8) is None
    assert n.release_time(None, clock.now()) is None


@pytest.mark.parametrize("text", ["22:00", "25:00-07:00", "22:00-22:00", "22-07", "a-b"])
def test_bad_quiet_hours_name_the_setting(text: str) -> None:
    with pytest.raises(ValueError, match="GRIDCASE_NOTIFY_QUIET_HOURS"):
        n.QuietHours.parse(text)


def test_rate_limit_arithmetic() -> None:
    clock = FakeClock()
    limits = n.parse_rate_limits("sms=2/min, wecom=20/hour,webhook=5/s")
    assert limits == {"sms": n.RateLimit(2, timedelta(minutes=1)), "wecom": n.RateLimit(20, timedelta(hours=1)),
                      "webhook": n.RateLimit(5, timedelta(seconds=1))}
    sms = limits["sms"]
    first = clock.now()
    assert n.rate_wait(sms, [], first) is None
    assert n.rate_wait(sms, [first], first) is None
    clock.advance(seconds=10)
    assert n.rate_wait(sms, [first, clock.now()], clock.now()) == first + timedelta(minutes=1)  # the 3rd waits
    clock.advance(seconds=50)  # the first has left the window
    assert n.rate_wait(sms, [first, first + timedelta(seconds=10)], clock.now()) is None
    assert n.rate_wait(None, [first] * 100, first) is None


@pytest.mark.parametrize("text", ["sms=0/min", "fax=3/min", "sms=3/fortnight", "sms:3/min"])
def test_bad_rate_limits_name_the_setting(text: str) -> None:
    with pytest.raises(ValueError, match="GRIDCASE_NOTIFY_RATE_LIMITS"):
        n.parse_rate_limits(text)


def test_back_off_doubles_up_to_the_cap_then_fails() -> None:
    now = FakeClock().now()
    policy = n.NotifyPolicy(max_attempts=4, backoff=timedelta(seconds=30), max_backoff=timedelta(seconds=90))
    assert [policy.retry_at(a, now) for a in (1, 2, 3, 4)] == [
        now + timedelta(seconds=30), now + timedelta(seconds=60), now + timedelta(seconds=90), None]


def test_policy_from_the_environment() -> None:
    policy = n.NotifyPolicy.from_env({"GRIDCASE_NOTIFY_QUIET_HOURS": "22:00-07:00", "GRIDCASE_NOTIFY_MAX_ATTEMPTS": "3",
                                      "GRIDCASE_NOTIFY_RATE_LIMITS": "sms=30/min"})
    assert policy.quiet is not None and policy.max_attempts == 3 and policy.rate_limits["sms"].count == 30
    assert n.NotifyPolicy.from_env({}) == n.NotifyPolicy()
    with pytest.raises(ValueError, match="GRIDCASE_NOTIFY_MAX_ATTEMPTS"):
        n.NotifyPolicy.from_env({"GRIDCASE_NOTIFY_MAX_ATTEMPTS": "0"})
    with pytest.raises(ValueError, match="GRIDCASE_SMTP_TLS"):
        n.SmtpSettings.from_env({"GRIDCASE_SMTP_TLS": "maybe"})
    assert n.SmtpSettings.from_env({"GRIDCASE_SMTP_TLS": "ssl"}).port == 465


@pytest.mark.parametrize("channel, address, ok", [
    ("email", "a@example.org", True), ("email", "a@b", False), ("email", "a b@example.org", False),
    ("webhook", "jsons://hooks.example.org/x", True), ("webhook", "https://hooks.example.org/x", True),
    ("webhook", "ftp://hooks.example.org/x", False),
    ("wecom", "wecombot://KEY", True), ("wecom", "dingtalk://T", False), ("dingtalk", "dingtalk://TOKEN", True),
    ("sms", "twilio://sid:token@15551234567/15557654321", True), ("sms", "13800000000", False),
    ("sms", "clicksend://user:key@13800000000", True), ("sms", "D7SMS://token@13800000000", True),
    ("in_app", "", True), ("in_app", "x", False),
])
def test_addresses_per_channel(channel: str, address: str, ok: bool) -> None:
    assert (n.address_problem(channel, address) is None) is ok


@pytest.mark.parametrize("channel, address", [
    # SMS: only fixed-host vendors; these would reach a host the address names
    ("sms", "ntfy://10.0.0.5:8080/t"), ("sms", "apprise://10.0.0.5/key"), ("sms", "gotify://10.0.0.5/token"),
    ("sms", "mqtt://10.0.0.5/topic"), ("sms", "rsyslog://10.0.0.5"), ("sms", "smseagle://token@10.0.0.5/1380"),
    ("sms", "json://10.0.0.5/x"), ("sms", "kavenegar://key/13800000000"),
    # email: a plain address only, sent through the GRIDCASE_SMTP_* server
    ("email", "mailto://a@example.org?smtp=127.0.0.1"), ("email", "mailtos://u:p@smtp.example.org"),
    ("email", "a@example.org?smtp=127.0.0.1"), ("email", "a@127.0.0.1:25"),
    # WeCom, DingTalk: their own schemes only; a webhook: JSON over HTTP(S) only
    ("wecom", "wxteams://T1/T2/T3"), ("wecom", "json://10.0.0.5/x"), ("dingtalk", "json://10.0.0.5/x"),
    ("webhook", "form://hooks.example.org/x"), ("webhook", "xml://hooks.example.org/x"),
    ("webhook", "mailto://x@example.org"),
    # no query string anywhere: Apprise reads it as its own options
    ("webhook", "json://hooks.example.org/x?rto=100000"), ("webhook", "https://hooks.example.org/x?redirect=yes"),
    ("webhook", "jsons://hooks.example.org/x?verify=no"), ("wecom", "wecombot://KEY?cto=600"),
    ("dingtalk", "dingtalk://TOKEN/?rto=999"), ("sms", "twilio://sid:token@15551234567/15557654321?rto=1"),
    ("sms", "twilio://sid:token@15551234567/15557654321#x"),
])
def test_addresses_that_would_let_a_subscriber_steer_the_sender_are_refused(channel: str, address: str) -> None:
    problem = n.address_problem(channel, address)
    assert problem is not None and address not in problem


def test_the_sender_forces_its_own_timeouts_and_follows_no_redirect() -> None:
    found = sender_for("json://hooks.example.org/x?rto=100000&cto=100000&redirect=yes", Timeouts(1.5, 2.5))
    assert found is not None
    (plugin,) = list(found)
    assert (plugin.socket_connect_timeout, plugin.socket_read_timeout, plugin.redirects) == (1.5, 2.5, False)
    email = sender_for(apprise_url("email", "a@example.org", n.SmtpSettings(host="smtp.example.org")), Timeouts())
    assert email is not None and [(p.socket_connect_timeout, p.socket_read_timeout) for p in email] == [(5.0, 10.0)]
    assert sender_for("nothing://at-all", Timeouts()) is None
    policy = n.NotifyPolicy.from_env({"GRIDCASE_NOTIFY_CONNECT_TIMEOUT": "2", "GRIDCASE_NOTIFY_READ_TIMEOUT": "7"})
    assert (policy.connect_timeout, policy.read_timeout) == (2.0, 7.0)
    with pytest.raises(ValueError, match="GRIDCASE_NOTIFY_READ_TIMEOUT"):
        n.NotifyPolicy.from_env({"GRIDCASE_NOTIFY_READ_TIMEOUT": "0"})


def test_recipients_parse() -> None:
    assert n.parse_recipient("group:dispatcher") == ("group", "dispatcher")
    assert n.parse_recipient("person: alice ") == ("person", "alice")
    for bad in ("dispatcher", "team:x", "group:", 3):
        with pytest.raises(ValueError):
            n.parse_recipient(bad)


def test_the_hosts_a_subscription_url_may_reach() -> None:
    hosts = parse_hosts("hooks.example.org, 10.0.0.5:8080")
    assert hosts == frozenset({"hooks.example.org", "10.0.0.5:8080"})
    assert host_problem("jsons://hooks.example.org/city", hosts) is None
    assert host_problem("json://10.0.0.5:8080/x", hosts) is None
    assert "host 10.0.0.5:9090 is not allowed" in str(host_problem("json://10.0.0.5:9090/x", hosts))
    assert "host 169.254.169.254 is not allowed" in str(host_problem("http://169.254.169.254/latest", hosts))
    assert host_problem("json://hooks.example.org:99999/x", hosts) == "the address has no valid port"
    assert host_problem("wecombot://KEY", hosts) is None  # a vendor's fixed service
    assert host_problem("a@example.org", hosts) is None  # the settings' SMTP server
    assert host_problem("json://anything.internal/x", frozenset()) is None  # no list: development
    with pytest.raises(ValueError, match="GRIDCASE_NOTIFY_HOSTS"):
        parse_hosts("bad host")
    assert n.NotifyPolicy.from_env({"GRIDCASE_NOTIFY_HOSTS": "a.example"}).hosts == frozenset({"a.example"})
