"""Handlers of the catalogue commands (AddSubtype, EditSubtype, DisableSubtype). A disabled subtype can no longer
be reported (``subtype_exists`` leaves it out); its open cases finish as they are."""

from __future__ import annotations

import math
import re
from typing import Any

from city.admin import commands as ac
from city.admin.checks import (
    KINDS,
    LIMIT_UNITS,
    URGENCIES,
    admin,
    check_choice,
    check_common,
    check_name,
    record,
)
from engine.domain.errors import InvalidCommand, NotFound
from engine.service.bus import HandlerContext

SUBTYPE_CODE = re.compile(r"^[0-9]{4}$")  # the report form's and the API's 4-digit subtype code


def _check_limit(amount: float | None) -> None:
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)
                               or not math.isfinite(amount) or not 0 < amount <= 10_000):
        raise InvalidCommand("limit_amount must be a number above 0 and at most 10000", field="limit_amount")


def _check_national(value: str | None) -> None:
    if value and not re.fullmatch(r"[0-9A-Za-z.-]{1,20}", value):
        raise InvalidCommand("a national code has 1–20 letters, digits, '.' or '-'", field="national_code")


def _check_standard(value: str | None) -> None:
    if value is not None and len(value) > 2000:
        raise InvalidCommand("closing_standard must be at most 2000 characters", field="closing_standard")


def add_subtype(cmd: ac.AddSubtype, ctx: HandlerContext) -> dict[str, Any]:
    """Add the subtype to its aspect; refused naming the field."""
    check_common(cmd.actor, cmd.comment)
    if not SUBTYPE_CODE.fullmatch(cmd.code):
        raise InvalidCommand("a subtype code has 4 digits", field="code")
    for field, value in (("name_zh", cmd.name_zh), ("name_en", cmd.name_en), ("major_name_zh", cmd.major_name_zh)):
        check_name(value, field)
    if not re.fullmatch(r"[0-9]{2}", cmd.major_code):
        raise InvalidCommand("a major category code has 2 digits", field="major_code")
    check_choice(cmd.kind, KINDS, "kind")
    check_choice(cmd.default_urgency, URGENCIES, "default_urgency")
    check_choice(cmd.limit_unit, LIMIT_UNITS, "limit_unit")
    _check_limit(cmd.limit_amount)
    _check_standard(cmd.closing_standard)
    _check_national(cmd.national_code)
    row = {"code": cmd.code, "kind": cmd.kind, "major_code": cmd.major_code, "major_name_zh": cmd.major_name_zh,
           "name_zh": cmd.name_zh.strip(), "name_en": cmd.name_en.strip(), "aspect_code": cmd.aspect_code,
           "default_urgency": cmd.default_urgency, "limit_amount": float(cmd.limit_amount),
           "limit_unit": cmd.limit_unit, "closing_standard": cmd.closing_standard, "video_ai": False,
           "national_code": cmd.national_code or None}
    with ctx.deps.uow() as uow:
        if admin(uow).row("subtype", cmd.code) is not None:
            raise InvalidCommand(f"subtype {cmd.code} already exists", field="code")
        if not admin(uow).aspect_exists(cmd.aspect_code):
            raise InvalidCommand(f"no aspect {cmd.aspect_code!r}", field="aspect_code")
        admin(uow).insert("subtype", row)
        record(uow, ctx, "subtype", cmd.code, "add", None, row, cmd.actor, cmd.comment)
    return row


def edit_subtype(cmd: ac.EditSubtype, ctx: HandlerContext) -> dict[str, Any]:
    """Change the fields given; the result is the subtype as it now is."""
    check_common(cmd.actor, cmd.comment)
    check_name(cmd.name_zh, "name_zh")
    check_name(cmd.name_en, "name_en")
    check_choice(cmd.default_urgency, URGENCIES, "default_urgency")
    check_choice(cmd.limit_unit, LIMIT_UNITS, "limit_unit")
    _check_limit(cmd.limit_amount)
    _check_standard(cmd.closing_standard)
    _check_national(cmd.national_code)
    given = {"name_zh": cmd.name_zh, "name_en": cmd.name_en, "default_urgency": cmd.default_urgency,
             "limit_amount": None if cmd.limit_amount is None else float(cmd.limit_amount),
             "limit_unit": cmd.limit_unit, "closing_standard": cmd.closing_standard}
    changes: dict[str, Any] = {k: v.strip() if isinstance(v, str) and k.startswith("name") else v
               for k, v in given.items() if v is not None}
    if cmd.national_code is not None:
        changes["national_code"] = cmd.national_code or None
    with ctx.deps.uow() as uow:
        before = admin(uow).row("subtype", cmd.code)
        if before is None:
            raise NotFound(f"no subtype {cmd.code!r}", field="code")
        after = {**before, **changes}
        if after != before:
            admin(uow).update("subtype", cmd.code, changes)
            record(uow, ctx, "subtype", cmd.code, "edit", before, after, cmd.actor, cmd.comment)
    return after


def disable_subtype(cmd: ac.DisableSubtype, ctx: HandlerContext) -> bool:
    """Disable (or with ``enable`` enable) the subtype; returns whether it is now disabled."""
    check_common(cmd.actor, cmd.comment)
    with ctx.deps.uow() as uow:
        store = admin(uow)
        if store.row("subtype", cmd.code) is None:
            raise NotFound(f"no subtype {cmd.code!r}", field="code")
        was = store.is_disabled("subtype", cmd.code)
        if was == cmd.enable:
            if cmd.enable:
                store.enable("subtype", cmd.code)
            else:
                store.disable("subtype", cmd.code, ctx.deps.clock.now(), cmd.actor)
            record(uow, ctx, "subtype", cmd.code, "enable" if cmd.enable else "disable", {"disabled": was},
                   {"disabled": not cmd.enable}, cmd.actor, cmd.comment)
    return not cmd.enable
