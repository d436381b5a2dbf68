"""Notifications, the pure part: event kinds, channels, which audit events become which notifications (one data
table), quiet hours, per-channel rate limits and the retry back-off (docs/notifications.md).

Nothing here reads the clock, the environment or the database: callers pass ``now`` and the settings' text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo

from engine.domain.city_zone import CITY
from engine.domain.notification_hosts import parse_hosts

# Event kinds (what a subscription's ``events`` list names).
TASK_ASSIGNED = "task_assigned"  # a human task became ready for a group/person (派遣 dispatched to a department)
TASK_WARNING = "task_warning"  # 80 % of the task's time used
TASK_OVERDUE = "task_overdue"
SUPERVISION = "supervision"  # 督办
RETURNED = "returned"  # 回退
REWORK = "rework"  # 返工
TASK_REASSIGNED = "task_reassigned"  # 改派
ASSEMBLY = "assembly"  # emergency assembly
CASE_RESULT = "case_result"  # the result, told to the reporter
TEST = "test"  # ``gridcase notify test``
PUBLIC_CODE = "citizen_code"  # a confirmation code sent to a member of the public's phone
PUBLIC_UPDATE = "citizen_update"  # a public report's new stage or outcome, told to whoever reported it
KINDS = (TASK_ASSIGNED, TASK_WARNING, TASK_OVERDUE, SUPERVISION, RETURNED, REWORK, TASK_REASSIGNED, ASSEMBLY,
         CASE_RESULT, TEST, PUBLIC_CODE, PUBLIC_UPDATE)

CHANNELS = ("email", "sms", "wecom", "dingtalk", "webhook", "in_app")
IN_APP = "in_app"
NORMAL, URGENT = "normal", "urgent"
URGENCIES = (NORMAL, URGENT)
LOCALES = ("zh", "en")
PERSON, GROUP = "person", "group"
SUBJECT_KINDS = (PERSON, GROUP)

# Delivery statuses.
QUEUED, DEFERRED, SENDING, SENT = "queued", "deferred", "sending", "sent"
FAILED, RETRYING, UNKNOWN = "failed", "retrying", "unknown"
DUE = (QUEUED, RETRYING, DEFERRED)  # what the sender picks up once next_attempt_at has passed

MAX_NAME = 100
MAX_ADDRESS = 2000


@dataclass(frozen=True)
class AuditMapping:
    """How one audit event becomes a notification: its kind and urgency, the record's fields naming the groups
    and the persons to tell, and whether the task's own candidate group is told too."""

    kind: str
    urgency: str = NORMAL
    group_fields: tuple[str, ...] = ()
    person_fields: tuple[str, ...] = ()
    task_group: bool = False  # also the task's candidate group (read from the task when the record lacks it)


# Audit event type → notification: the one place that says which engine events tell whom.
AUDIT_EVENTS: dict[str, AuditMapping] = {
    "task_ready": AuditMapping(TASK_ASSIGNED, group_fields=("group",), person_fields=("assignee",)),
    "task_warned": AuditMapping(TASK_WARNING, group_fields=("group",), person_fields=("assignee",), task_group=True),
    "task_overdue": AuditMapping(TASK_OVERDUE, URGENT, group_fields=("group", "escalate_to"),
                                 person_fields=("assignee",), task_group=True),
    "task_reassigned": AuditMapping(TASK_REASSIGNED, person_fields=("to",)),
}


def parse_recipient(text: object) -> tuple[str, str]:
    """``"group:NAME"`` or ``"person:NAME"`` → (kind, name); ValueError saying what is wrong."""
    if not isinstance(text, str) or ":" not in text:
        raise ValueError(f"recipient {text!r} must be 'group:NAME' or 'person:NAME'")
    kind, name = text.split(":", 1)
    kind, name = kind.strip(), name.strip()
    if kind not in SUBJECT_KINDS or not name or len(name) > MAX_NAME:
        raise ValueError(f"recipient {text!r} must be 'group:NAME' or 'person:NAME'")
    return kind, name


_EMAIL = re.compile(r"[^@\s/?#:]+@[^@\s/?#:]+\.[^@\s/?#:]+")
# SMS gateways whose Apprise plugin posts to the vendor's own fixed host (the URL holds keys and numbers, never a
# host): a self-hosted gateway (smseagle://, httpsms://, smpp:// …) or any other scheme (ntfy://, apprise://,
# gotify://, mqtt:// …) would make the scheduler connect where the address says. kavenegar:// is left out: Apprise
# calls it over plain http, its key in the path.
SMS_SCHEMES = ("twilio", "clicksend", "sinch", "msg91", "bulksms", "d7sms", "plivo", "vonage", "nexmo", "msgbird",
               "clickatell", "seven", "burstsms", "kudosity", "log")  # log://…: the scheduler's log (development)
_SCHEMES: dict[str, tuple[str, ...]] = {
    "webhook": ("json", "jsons", "http", "https"),  # the host: GRIDCASE_NOTIFY_HOSTS (notification_hosts)
    "wecom": ("wecombot",),  # qyapi.weixin.qq.com
    "dingtalk": ("dingtalk",),  # oapi.dingtalk.com
    "sms": SMS_SCHEMES,
}
_URL = re.compile(r"([a-z][a-z0-9+.-]*)://[^\s?#]+", re.IGNORECASE)


def address_problem(channel: str, address: str) -> str | None:
    """Why ``address`` cannot receive ``channel``, or None: a plain email address for email (the server's
    GRIDCASE_SMTP_* settings send it: a mailto:// URL could name any SMTP server), an Apprise URL of the channel's
    schemes (json(s)://, or http(s):// sent as JSON, for a webhook; wecombot:// for WeCom; dingtalk:// for DingTalk;
    a fixed-host vendor of ``SMS_SCHEMES`` for SMS), nothing for in_app. No channel takes a query string: Apprise
    reads one as its own options (``rto=``, ``cto=``, ``redirect=``, ``verify=no``, ``smtp=`` …), and none needs
    one (a vendor's keys and numbers sit in the URL's user, host and path; a webhook's token goes in its path)."""
    if channel == IN_APP:
        return None if address == "" else "in_app takes no address"
    if not address or len(address) > MAX_ADDRESS or any(c.isspace() for c in address):
        return f"an address without spaces, at most {MAX_ADDRESS} characters, is required"
    if channel == "email":
        return None if _EMAIL.fullmatch(address) else "an email address (name@domain) is required, not a URL"
    if "?" in address or "#" in address:
        return "a query string (?…) or fragment (#…) is not allowed: Apprise would read it as its options"
    schemes = _SCHEMES.get(channel, ())
    match = _URL.fullmatch(address)
    if match is None or match.group(1).lower() not in schemes:
        return f"a {channel} address is an Apprise URL of {', '.join(s + '://' for s in schemes)}"
    return None


# -- quiet hours ----------------------------------------------------------------------------------------------

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class QuietHours:
    """At night (``start``–``end`` in the city's time zone, across midnight when start > end) only urgent deliveries
    go out; the rest wait for the next duty window."""

    start: time
    end: time
    zone: tzinfo = CITY  # the city profile's zone, as it changes

    @classmethod
    def parse(cls, text: str, zone: tzinfo | None = None) -> QuietHours | None:
        """``"22:00-07:00"`` → QuietHours; empty → None (no quiet hours); ValueError naming the setting."""
        text = text.strip()
        if not text:
            return None
        parts = [p.strip() for p in text.split("-")]
        matches = [_CLOCK.fullmatch(p) for p in parts]
        if len(parts) != 2 or None in matches or parts[0] == parts[1]:
            raise ValueError(f"GRIDCASE_NOTIFY_QUIET_HOURS {text!r} must be HH:MM-HH:MM (two different times)")
        start, end = (time(int(m.group(1)), int(m.group(2))) for m in matches if m is not None)
        return cls(start, end, zone or CITY)

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` (aware) falls in the quiet hours."""
        local = moment.astimezone(self.zone).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, moment: datetime) -> datetime:
        """When the quiet hours that hold ``moment`` end (UTC)."""
        local = moment.astimezone(self.zone)
        end = datetime.combine(local.date(), self.end, self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, self.zone)
        return end.astimezone(UTC)


def release_time(quiet: QuietHours | None, moment: datetime,
                 next_duty: Callable[[datetime], datetime] | None = None) -> datetime | None:
    """When a non-urgent delivery made at ``moment`` may go out: None at once; inside the quiet hours the start of
    the first duty window after they end (``next_duty``: the working-time calendar's next working moment; without
    one, the end of the quiet hours)."""
    if quiet is None or not quiet.contains(moment):
        return None
    end = quiet.end_after(moment)
    return end if next_duty is None else max(end, next_duty(end))


# -- rate limits ----------------------------------------------------------------------------------------------

_PERIODS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_RATE = re.compile(r"([a-z_]+)\s*=\s*(\d+)\s*/\s*([a-z]+)")


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` deliveries per ``period`` on one channel."""

    count: int
    period: timedelta


def parse_rate_limits(text: str) -> dict[str, RateLimit]:
    """``"sms=30/min,wecom=20/min"`` → {channel: RateLimit}; ValueError naming the setting and the entry."""
    limits: dict[str, RateLimit] = {}
    for entry in (e.strip().lower() for e in text.split(",")):
        if not entry:
            continue
        match = _RATE.fullmatch(entry)
        if (match is None or match.group(1) not in CHANNELS or match.group(3) not in _PERIODS
                or int(match.group(2)) < 1):
            raise ValueError(f"GRIDCASE_NOTIFY_RATE_LIMITS: {entry!r} is not CHANNEL=N/(s|min|hour) "
                             f"with a channel of {', '.join(CHANNELS)} and N ≥ 1")
        limits[match.group(1)] = RateLimit(int(match.group(2)), timedelta(seconds=_PERIODS[match.group(3)]))
    return limits


def rate_wait(limit: RateLimit | None, recent: Sequence[datetime], now: datetime) -> datetime | None:
    """None when one more delivery may go out at ``now``; else when the next may. ``recent``: when the channel's
    deliveries went out (or were taken to send) in the last ``limit.period``, any order."""
    if limit is None:
        return None
    window = sorted(t for t in recent if t > now - limit.period)
    if len(window) < limit.count:
        return None
    return window[len(window) - limit.count] + limit.period


# -- retries and the policy -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotifyPolicy:
    """The notification settings (``GRIDCASE_NOTIFY_*``): quiet hours, rate limits, attempts, back-off, the lease
    after which a delivery left ``sending`` is marked ``unknown``, and the locale of the in-app items."""

    quiet: QuietHours | None = None
    rate_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    locale: str = "zh"
    hosts: frozenset[str] = frozenset()  # GRIDCASE_NOTIFY_HOSTS (engine.domain.notification_hosts); empty: any
    connect_timeout: float = 5.0  # seconds; the sender's own, whatever an address would say
    read_timeout: float = 10.0

    def retry_at(self, attempts: int, now: datetime) -> datetime | None:
        """After ``attempts`` failed attempts: when to try again, or None when it is out of attempts (failed)."""
        if attempts >= self.max_attempts:
            return None
        delay: timedelta = min(self.backoff * (2 ** max(0, attempts - 1)), self.max_backoff)
        return now + delay

    @classmethod
    def from_env(cls, env: Mapping[str, str], zone: tzinfo | None = None) -> NotifyPolicy:
        """Read ``GRIDCASE_NOTIFY_QUIET_HOURS``, ``_RATE_LIMITS``, ``_MAX_ATTEMPTS``, ``_BACKOFF_SECONDS``,
        ``_LEASE_SECONDS``, ``_LOCALE``, ``_HOSTS``, ``_CONNECT_TIMEOUT`` and ``_READ_TIMEOUT`` (seconds); ValueError
        naming the setting."""
        attempts = _number(env, "GRIDCASE_NOTIFY_MAX_ATTEMPTS", "5", 1, 100)
        backoff = _number(env, "GRIDCASE_NOTIFY_BACKOFF_SECONDS", "30", 0, 86400)
        lease = _number(env, "GRIDCASE_NOTIFY_LEASE_SECONDS", "300", 1, 86400)
        locale = env.get("GRIDCASE_NOTIFY_LOCALE", "zh").strip()
        if locale not in LOCALES:
            raise ValueError(f"GRIDCASE_NOTIFY_LOCALE must be one of {', '.join(LOCALES)}, not {locale!r}")
        return cls(QuietHours.parse(env.get("GRIDCASE_NOTIFY_QUIET_HOURS", ""), zone),
                   parse_rate_limits(env.get("GRIDCASE_NOTIFY_RATE_LIMITS", "")), int(attempts),
                   timedelta(seconds=backoff), lease=timedelta(seconds=lease), locale=locale,
                   hosts=parse_hosts(env.get("GRIDCASE_NOTIFY_HOSTS", "")),
                   connect_timeout=_number(env, "GRIDCASE_NOTIFY_CONNECT_TIMEOUT", "5", 0.1, 300),
                   read_timeout=_number(env, "GRIDCASE_NOTIFY_READ_TIMEOUT", "10", 0.1, 300))


def _number(env: Mapping[str, str], name: str, default: str, low: float, high: float) -> float:
    text = env.get(name, default)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {text!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, not {text!r}")
    return value


# -- email ------------------------------------------------------------------------------------------------------

TLS_MODES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class SmtpSettings:
    """Where email goes: the SMTP server, its account, the sender address and how TLS is used."""

    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "gridcase@localhost"
    tls: str = "none"  # none | starttls | ssl
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        """``GRIDCASE_SMTP_*``; ValueError naming the setting."""
        tls = env.get("GRIDCASE_SMTP_TLS", "none").strip().lower()
        if tls not in TLS_MODES:
            raise ValueError(f"GRIDCASE_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        port_text = env.get("GRIDCASE_SMTP_PORT", "465" if tls == "ssl" else "587" if tls == "starttls" else "25")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"GRIDCASE_SMTP_PORT must be a port number, not {port_text!r}")
        return cls(env.get("GRIDCASE_SMTP_HOST", "localhost").strip(), int(port_text),
                   env.get("GRIDCASE_SMTP_USER", ""), env.get("GRIDCASE_SMTP_PASSWORD", ""),
                   env.get("GRIDCASE_SMTP_FROM", "gridcase@localhost").strip(), tls)
