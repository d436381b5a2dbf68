"""Telling a citizen something (their code, a new stage, the 回访's outcome): one notification with one delivery
straight to their phone (the SMS address template) or email, written in the caller's transaction; the sender
(``engine.scheduling.notifications``) sends it like any other (docs/notifications.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.citizens.commands import CITIZEN_ACTOR
from city.citizens.settings import SMS_SETTING, CitizenSettings, NotConfigured, reach_settings
from engine.domain import notifications as n
from engine.domain.notification_hosts import host_problem
from engine.persistence.uow import UnitOfWork
from engine.service.notifications import Outgoing, queue_direct

CODE_KIND = "citizen_code"
UPDATE_KIND = "citizen_update"
RECEIVED_TEXT = {"zh": "感谢您的反映，我们会尽快核实处理。", "en": "Thank you: it will be verified soon."}


def sms_target(settings: CitizenSettings, phone: str) -> tuple[str, str]:
    """(channel, address) of ``phone``'s SMS; NotConfigured (503, naming the setting) when it cannot be sent."""
    channel, address = settings.sms_for(phone)
    problem = n.address_problem(channel, address) or host_problem(address, settings.notify_hosts)
    if problem is not None:
        raise NotConfigured(f"{SMS_SETTING} does not give a usable address: {problem}", field=SMS_SETTING)
    return channel, address


def target(settings: CitizenSettings, updates: str, phone: str | None, email: str | None) -> tuple[str, str] | None:
    """Where a report's updates go (None: the citizen asked for none, or gave no way to reach them)."""
    if updates == "sms" and phone:
        try:
            return sms_target(settings, phone)
        except NotConfigured:
            return None  # no SMS configured any more: the status page still shows every stage
    if updates == "email" and email:
        return "email", email
    return None


def tell(uow: UnitOfWork, kind: str, to: tuple[str, str], data: dict[str, Any], *, locale: str, now: datetime,
         case_id: int | None, dedupe_key: str) -> bool:
    """Write the notification and its one delivery (urgent: a code and a citizen's news wait for no duty hours);
    False when ``dedupe_key`` was told already."""
    out = Outgoing(kind, n.URGENT, (), data, case_id, dedupe_key)
    # the one path a direct delivery takes (engine.service.notifications): the address and its host checked
    return queue_direct(uow, reach_settings().notify_hosts, out, to[0], to[1], actor=CITIZEN_ACTOR, locale=locale,
                        now=now) is not None
