"""Handlers of the department commands (AddDepartment, EditDepartment, DisableDepartment)."""

from __future__ import annotations

from typing import Any

from city.admin import commands as ac
from city.admin.checks import LEVELS, admin, check_choice, check_code, check_common, check_name, record
from city.admin.routing import deployed_rules
from city.admin.routing_table import rules_naming
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext

SHOWN_RULES = 5  # a refusal names this many of the rules that name a department, then counts the rest


def _check_place(uow: UnitOfWork, level: str, district: str | None) -> None:
    """A district or street department names an existing district; a city one may name none."""
    if level in ("district", "street") and not district:
        raise InvalidCommand(f"a {level}-level department needs a district", field="district")
    if district and not uow.city.has_district(district):
        raise InvalidCommand(f"no district {district!r}", field="district")


def add_department(cmd: ac.AddDepartment, ctx: HandlerContext) -> dict[str, Any]:
    """Add the department; refused naming the field (a code taken, an unknown district or level)."""
    check_common(cmd.actor, cmd.comment)
    check_code(cmd.code)
    check_name(cmd.name_zh, "name_zh")
    check_name(cmd.name_en, "name_en")
    check_choice(cmd.level, LEVELS, "level")
    row = {"code": cmd.code, "name_zh": cmd.name_zh.strip(), "name_en": cmd.name_en.strip(), "level": cmd.level,
           "district_code": cmd.district or None}
    with ctx.deps.uow() as uow:
        if admin(uow).row("department", cmd.code) is not None:
            raise InvalidCommand(f"department {cmd.code!r} already exists", field="code")
        _check_place(uow, cmd.level, row["district_code"])
        admin(uow).insert("department", row)
        record(uow, ctx, "department", cmd.code, "add", None, row, cmd.actor, cmd.comment)
    return row


def edit_department(cmd: ac.EditDepartment, ctx: HandlerContext) -> dict[str, Any]:
    """Change the fields given; the result is the department as it now is."""
    check_common(cmd.actor, cmd.comment)
    check_name(cmd.name_zh, "name_zh")
    check_name(cmd.name_en, "name_en")
    check_choice(cmd.level, LEVELS, "level")
    changes: dict[str, Any] = {k: v.strip() for k, v in (("name_zh", cmd.name_zh), ("name_en", cmd.name_en))
                               if v is not None}
    if cmd.level is not None:
        changes["level"] = cmd.level
    if cmd.district is not None:
        changes["district_code"] = cmd.district or None
    with ctx.deps.uow() as uow:
        before = admin(uow).row("department", cmd.code)
        if before is None:
            raise NotFound(f"no department {cmd.code!r}", field="code")
        after = {**before, **changes}
        _check_place(uow, after["level"], after["district_code"])
        if after != before:
            admin(uow).update("department", cmd.code, changes)
            record(uow, ctx, "department", cmd.code, "edit", before, after, cmd.actor, cmd.comment)
    return after


def _refuse_in_use(uow: UnitOfWork, code: str) -> None:
    """Refuse disabling a department that still has open tasks or that a deployed routing rule names."""
    open_tasks = admin(uow).open_tasks_of_group(code)
    if open_tasks:
        raise InvalidCommand(f"department {code!r} still has {open_tasks} open task(s) in its queue: finish or"
                             " reassign them first", field="code")
    found = deployed_rules(uow)
    naming = rules_naming(found.dmn, code) if found is not None else []
    if naming:
        shown = ", ".join(naming[:SHOWN_RULES]) + (f" and {len(naming) - SHOWN_RULES} more"
                                                   if len(naming) > SHOWN_RULES else "")
        raise InvalidCommand(f"department {code!r} is named by {len(naming)} routing rule(s) of"
                             f" {found.process_id if found else ''}: {shown}; move those subtypes' routing first",
                             field="code")


def disable_department(cmd: ac.DisableDepartment, ctx: HandlerContext) -> bool:
    """Disable (or with ``enable`` enable) the department; returns whether it is now disabled."""
    check_common(cmd.actor, cmd.comment)
    with ctx.deps.uow() as uow:
        store = admin(uow)
        row = store.row("department", cmd.code)
        if row is None:
            raise NotFound(f"no department {cmd.code!r}", field="code")
        was = store.is_disabled("department", cmd.code)
        if cmd.enable and was:
            store.enable("department", cmd.code)
        elif not cmd.enable and not was:
            _refuse_in_use(uow, cmd.code)
            store.disable("department", cmd.code, ctx.deps.clock.now(), cmd.actor)
        if was == cmd.enable:
            record(uow, ctx, "department", cmd.code, "enable" if cmd.enable else "disable", {"disabled": was},
                   {"disabled": not cmd.enable}, cmd.actor, cmd.comment)
    return not cmd.enable
