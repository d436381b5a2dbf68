"""The citizens' settings (``GRIDCASE_CITIZEN_*``, ``GRIDCASE_PUBLIC_BASE_URL``), read from the environment: city
code may not import ``web``. Every value has a default but the SMS address, without which no code can be sent."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from city.public.settings import public_base_url
from engine.domain.errors import GridcaseError
from engine.domain.notification_hosts import host_problem, parse_hosts
from engine.domain.notifications import address_problem

ROOT = Path(__file__).resolve().parents[2]
SMS_SETTING = "GRIDCASE_CITIZEN_SMS_ADDRESS"


class NotConfigured(GridcaseError):
    """A setting the action needs is missing (the operators' fault, not the citizen's): 503 naming it."""

    http_status = 503


@dataclass(frozen=True)
class Limit:
    """At most ``count`` in ``seconds``."""

    count: int
    seconds: int


@dataclass(frozen=True)
class CitizenSettings:
    """Where codes and updates go, the public link's base, and the throttles (per phone, per client address)."""

    sms_address: str | None = None  # an Apprise URL template with {phone}
    notify_hosts: frozenset[str] = frozenset()  # GRIDCASE_NOTIFY_HOSTS: the hosts a URL may reach (empty: any)
    public_base_url: str = ""  # empty: the tracking link is relative (/t/<token>)
    attachments_dir: Path = ROOT / "var" / "attachments"
    code_minutes: int = 10
    ticket_minutes: int = 30
    code_attempts: int = 5
    phone_code: tuple[Limit, ...] = (Limit(1, 60), Limit(5, 3600), Limit(10, 86_400))
    address_code: tuple[Limit, ...] = (Limit(20, 3600),)  # per client address, an IPv6 one by its /64
    all_codes: tuple[Limit, ...] = (Limit(2000, 86_400),)  # codes sent a day in all: the SMS bill's cap
    phone_report: tuple[Limit, ...] = (Limit(5, 86_400),)
    address_report: tuple[Limit, ...] = (Limit(20, 86_400),)

    def link(self, token: str) -> str:
        """The citizen's tracking link."""
        return f"{self.public_base_url.rstrip('/')}/t/{token}"

    def sms_for(self, phone: str) -> tuple[str, str]:
        """(channel, address) of ``phone``'s SMS; NotConfigured when the template is not set."""
        template = self.sms_address
        if template == "log://":  # the development sink (`gridcase run`'s default): the scheduler's log
            template = "log://{phone}"
        if not template or "{phone}" not in template:
            raise NotConfigured(f"citizen codes cannot be sent: set {SMS_SETTING} (an Apprise URL with {{phone}})",
                                field=SMS_SETTING)
        address = template.replace("{phone}", phone)
        scheme = address.split("://", 1)[0].lower()
        return ("webhook" if scheme in ("json", "jsons", "http", "https") else "sms"), address


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number from 1 to 999999, not {raw!r}")
    return int(raw)


def _hosts(env: Mapping[str, str]) -> frozenset[str]:
    try:
        return parse_hosts(env.get("GRIDCASE_NOTIFY_HOSTS", ""))
    except ValueError:  # refused at start by the notify policy; meanwhile no host at all
        return frozenset({"-"})


def check_sms(settings: CitizenSettings) -> None:
    """At start: a set SMS address template must give an address the sender may reach (its host in
    GRIDCASE_NOTIFY_HOSTS), else ValueError naming the setting: not a 200 and a failed delivery nobody sees."""
    if not settings.sms_address:
        return
    channel, address = settings.sms_for("13800000000")
    problem = address_problem(channel, address) or host_problem(address, settings.notify_hosts)
    if problem is not None:
        raise ValueError(f"{SMS_SETTING}: {problem}")


def reach_settings(env: Mapping[str, str] | None = None) -> CitizenSettings:
    """Where messages go and the link's base only, the throttles at their defaults: never raises, so the step hooks
    telling a citizen (``city.citizens.updates``, ``callback``) cannot fail a staff step over a bad throttle value
    (refused at start: ``city.citizens.wiring.install``)."""
    env = os.environ if env is None else env
    return CitizenSettings(
        sms_address=env.get(SMS_SETTING) or None,
        notify_hosts=_hosts(env),
        public_base_url=public_base_url(env),  # the reader Open311 shares
        attachments_dir=Path(env.get("GRIDCASE_ATTACHMENTS_DIR") or str(ROOT / "var" / "attachments")),
    )


def citizen_settings(env: Mapping[str, str] | None = None) -> CitizenSettings:
    """The settings from ``env`` (default: the process's environment); ValueError naming a bad setting."""
    env = os.environ if env is None else env
    per_day = _int(env, "GRIDCASE_CITIZEN_REPORTS_PER_DAY", 5)
    per_address = _int(env, "GRIDCASE_CITIZEN_REPORTS_PER_ADDRESS", 20)
    return replace(
        reach_settings(env),
        code_minutes=_int(env, "GRIDCASE_CITIZEN_CODE_MINUTES", 10),
        ticket_minutes=_int(env, "GRIDCASE_CITIZEN_TICKET_MINUTES", 30),
        all_codes=(Limit(_int(env, "GRIDCASE_CITIZEN_CODES_PER_DAY", 2000), 86_400),),
        phone_report=(Limit(per_day, 86_400),),
        address_report=(Limit(per_address, 86_400),),
    )
