"""Confirming a citizen's phone: a 6-digit code sent by SMS (``RequestPhoneCode``), checked (``ConfirmPhone``) for
a short-lived ticket that a report cites. Codes and tickets are kept only as hashes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from city.citizens import messages
from city.citizens.commands import ConfirmPhone, RequestPhoneCode
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
from city.citizens.settings import CitizenSettings, Limit, citizen_settings
from city.persistence.repositories import citizen_phones
from engine.domain import notifications as n
from engine.domain.errors import InvalidCommand
from engine.domain.input_limits import text_problem
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import HandlerContext
from engine.service.rate_limits import within_limit

ADDRESS_CHARS = 64  # an IPv6 address with its zone fits


def client_address(raw: object) -> str:
    """The client's address as a throttle key; InvalidCommand naming ``address`` when it is no text."""
    if not isinstance(raw, str) or not raw or len(raw) > ADDRESS_CHARS or text_problem(raw) is not None:
        raise InvalidCommand(f"the client address must be 1–{ADDRESS_CHARS} characters", field="address")
    return raw


def check_locale(raw: object) -> str:
    """One of the notification locales (``n.LOCALES``: the templates' languages); InvalidCommand naming ``locale``."""
    if not isinstance(raw, str) or raw not in n.LOCALES:
        raise InvalidCommand(f"locale must be one of {', '.join(n.LOCALES)}", field="locale")
    return str(raw)


def throttle(store: CaseStore, scope: str, key: str, limits: tuple[Limit, ...], ctx: HandlerContext, *, what: str,
             field: str) -> None:
    """Count one hit of ``key`` against each of ``limits`` (429 naming ``field`` beyond one)."""
    now = ctx.deps.clock.now()
    for limit in limits:
        within_limit(store, f"{scope}_{limit.seconds}"[:30], key, limit.count, limit.seconds, now, what=what,
                     field=field)


def request_phone_code(cmd: RequestPhoneCode, ctx: HandlerContext,
                       settings: CitizenSettings | None = None) -> int:
    """Send a fresh code to the phone (the old one is void); the seconds it stays valid."""
    settings = settings or citizen_settings()
    phone, address, locale = normalise_phone(cmd.phone), client_address(cmd.address), check_locale(cmd.locale)
    target = messages.sms_target(settings, phone)  # before anything is counted: a missing setting is ours
    now = ctx.deps.clock.now()
    code = new_code()
    with ctx.deps.uow() as uow:
        throttle(uow.store, "citizen_phone_code", phone, settings.phone_code, ctx, what="codes for this phone",
                 field="phone")
        throttle(uow.store, "citizen_address_code", throttle_key(address), settings.address_code, ctx,
                 what="codes from this address", field="address")
        throttle(uow.store, "citizen_all_codes", "all", settings.all_codes, ctx, what="codes sent today in all",
                 field="phone")
        expires = now + timedelta(minutes=settings.code_minutes)
        citizen_phones.replace_code(uow.store, phone, code_hash(phone, code, new_salt()), address, now, expires)
        messages.tell(uow, messages.CODE_KIND, target, {"code": code, "minutes": settings.code_minutes},
                      locale=locale, now=now, case_id=None, dedupe_key=f"citizen_code:{uuid.uuid4().hex}")
    return settings.code_minutes * 60


def confirm_phone(cmd: ConfirmPhone, ctx: HandlerContext, settings: CitizenSettings | None = None) -> str:
    """The ticket for a right code. A wrong one counts (the attempt is committed, then refused: 422 ``code``);
    the ``code_attempts``-th wrong attempt kills the code."""
    settings = settings or citizen_settings()
    phone, code = normalise_phone(cmd.phone), check_code(cmd.code)
    client_address(cmd.address)
    now = ctx.deps.clock.now()
    refusal: str | None = None
    ticket = new_ticket()
    with ctx.deps.uow() as uow:
        pending = citizen_phones.pending_code(uow.store, phone)
        if pending is None or pending.attempts >= settings.code_attempts:
            refusal = "no code is waiting for this phone: ask for a new one"
        elif pending.expires_at <= now:
            refusal = "the code has expired: ask for a new one"
        elif not code_matches(pending.code_hash, phone, code):
            attempts = citizen_phones.count_attempt(uow.store, pending.id)
            left = settings.code_attempts - attempts
            refusal = (f"the code is wrong; {left} attempt{'s' if left != 1 else ''} left" if left > 0
                       else "the code is wrong and no attempts are left: ask for a new one")
        else:
            citizen_phones.confirm(uow.store, pending.id, ticket_hash(ticket), now,
                                   now + timedelta(minutes=settings.ticket_minutes))
    if refusal is not None:  # after the commit: a wrong attempt is counted even though the command refuses
        raise InvalidCommand(refusal, field="code")
    return ticket
