"""What every admin command checks: the actor and comment, names, codes; and how a change is recorded."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.domain.errors import InvalidCommand

if TYPE_CHECKING:
    from engine.persistence.uow import UnitOfWork
    from engine.service.bus import HandlerContext

from engine.persistence.repositories.admin import AdminStore

CODE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
LEVELS = ("city", "district", "street")
URGENCIES = ("normal", "urgent")
LIMIT_UNITS = ("working_days", "working_hours", "natural_days", "natural_hours")
KINDS = ("component", "event")  # 部件, 事件


def check_common(actor: str, comment: str) -> None:
    """The actor (1–100 characters) and the comment (at most 500)."""
    if not actor.strip() or len(actor) > 100:
        raise InvalidCommand("actor must be 1–100 characters", field="actor")
    if len(comment) > 500:
        raise InvalidCommand("comment must be at most 500 characters", field="comment")


def check_name(value: str | None, field: str) -> None:
    """A display name: 1–200 characters, not blank (None: not being changed)."""
    if value is not None and (not value.strip() or len(value) > 200):
        raise InvalidCommand(f"{field} must be 1–200 characters", field=field)


def check_code(value: str, field: str = "code") -> None:
    """A code: 1–30 letters, digits, '_' or '-'."""
    if not isinstance(value, str) or not CODE.fullmatch(value):
        raise InvalidCommand("a code has 1–30 letters, digits, '_' or '-'", field=field)


def check_choice(value: str | None, choices: tuple[str, ...], field: str) -> None:
    """One of ``choices`` (None: not being changed)."""
    if value is not None and value not in choices:
        raise InvalidCommand(f"{field} must be one of {', '.join(choices)}", field=field)


def admin(uow: UnitOfWork) -> AdminStore:
    """The admin repository of this unit of work."""
    return uow.repository(AdminStore)


def record(uow: UnitOfWork, ctx: HandlerContext, kind: str, key: str, action: str,
           before: dict[str, Any] | None, after: dict[str, Any] | None, actor: str, comment: str) -> int:
    """Keep the change in ``admin_changes`` (the object's next version) in the command's transaction."""
    return admin(uow).record_change(kind, key, action, before, after, actor, ctx.deps.clock.now(), comment)
