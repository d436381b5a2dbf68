"""Handlers of the admin's account commands (``engine.domain.account_commands``): disabling a user, changing their
role and place, resetting their password — each kept in ``admin_changes`` with its before and after.

A disabled user is in ``disabled_entries``: the accounts repository neither signs them in nor resolves their
sessions or tokens, and disabling also ends their sessions, revokes their tokens and releases the tasks they hold
(each audited as a force release). No change may leave the city without an enabled admin.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from engine.domain.account_commands import ChangeUserRole, DisableUser, ResetPassword
from engine.domain.errors import InvalidCommand, NotFound
from engine.domain.passwords import hash_password
from engine.domain.supervision_commands import ForceReleaseTask
from engine.persistence.repositories.admin import AdminStore
from engine.service.accounts import MAX_PASSWORD, MIN_PASSWORD, ROLES
from engine.service.supervision import REASON_LIMIT, change_holder_in

if TYPE_CHECKING:
    from engine.persistence.uow import UnitOfWork
    from engine.service.bus import HandlerContext

ONE_TIME_LENGTH = 12  # characters of a generated password (token_urlsafe: letters, digits, '-', '_')


def _check_actor(actor: str, comment: str) -> None:
    if not actor.strip() or len(actor) > 100:
        raise InvalidCommand("actor must be 1–100 characters", field="actor")
    if len(comment) > 500:
        raise InvalidCommand("comment must be at most 500 characters", field="comment")


def _row(uow: UnitOfWork, username: str) -> dict[str, Any]:
    row = uow.repository(AdminStore).row("user", username)
    if row is None:
        raise NotFound(f"no user {username!r}", field="username")
    return row


def _keep_an_admin(uow: UnitOfWork, username: str, field: str) -> None:
    """Refuse a change that leaves no enabled admin: ``username`` is about to stop being one. Counted with the
    admins' rows locked, in the change's own transaction, so two admins cannot remove each other at once."""
    if uow.accounts.enabled_admins() == [username]:
        raise InvalidCommand(f"{username} is the last enabled admin: make another admin first", field=field)


def _release_tasks(uow: UnitOfWork, ctx: HandlerContext, cmd: DisableUser) -> list[tuple[Any, int]]:
    """Put every task the user holds back in its group's queue, each audited as a force release (强制释放)."""
    reason = f"account disabled (停用账号){': ' + cmd.comment if cmd.comment.strip() else ''}"[:REASON_LIMIT]
    return [change_holder_in(uow, ctx.deps, ForceReleaseTask(task_id, reason, cmd.actor), None, reason)
            for task_id in uow.accounts.claimed_tasks(cmd.username)]


def disable_user(cmd: DisableUser, ctx: HandlerContext) -> dict[str, int]:
    """Disable (or enable) the user; returns how many tokens disabling revoked and how many claimed tasks it
    released. An admin cannot disable themselves, nor the last enabled admin."""
    _check_actor(cmd.actor, cmd.comment)
    if not cmd.enable and cmd.username == cmd.actor:
        raise InvalidCommand("you cannot disable your own account", field="username")
    revoked, released = 0, []
    with ctx.deps.uow() as uow:
        _row(uow, cmd.username)
        store = uow.repository(AdminStore)
        was = store.is_disabled("user", cmd.username)
        if was != cmd.enable:
            return {"tokens_revoked": 0, "tasks_released": 0}  # already as asked: nothing to record
        if cmd.enable:
            store.enable("user", cmd.username)
        else:
            _keep_an_admin(uow, cmd.username, "username")
            store.disable("user", cmd.username, ctx.deps.clock.now(), cmd.actor)
            uow.accounts.next_session_epoch(cmd.username)
            revoked = uow.accounts.revoke_tokens(cmd.username, ctx.deps.clock.now())
            released = _release_tasks(uow, ctx, cmd)
        store.record_change("user", cmd.username, "enable" if cmd.enable else "disable", {"disabled": was},
                            {"disabled": not cmd.enable, "tokens_revoked": revoked, "tasks_released": len(released)},
                            cmd.actor, ctx.deps.clock.now(), cmd.comment)
    for case, _version in released:  # the holder is no workflow state: a cached runner is simply dropped
        ctx.deps.workflows.take(case.id, case.version)
    return {"tokens_revoked": revoked, "tasks_released": len(released)}


def _new_place(uow: UnitOfWork, cmd: ChangeUserRole, before: dict[str, Any]) -> dict[str, Any]:
    """The user's role, department and district after the command, checked as ``AddUser`` checks them."""
    after = dict(before)
    if cmd.role is not None:
        after["role"] = cmd.role
    if cmd.department is not None:
        after["department_code"] = cmd.department or None
    if cmd.district is not None:
        after["district_code"] = cmd.district or None
    if after["role"] not in ROLES:
        raise InvalidCommand(f"unknown role {after['role']!r} (one of {', '.join(ROLES)})", field="role")
    if after["role"] == "department_member" and not after["department_code"]:
        raise InvalidCommand("a department_member needs a department", field="department")
    if after["role"] == "collector" and not after["district_code"]:
        raise InvalidCommand("a collector needs a district", field="district")
    if after["department_code"] and not uow.city.has_department(after["department_code"]):
        raise InvalidCommand(f"no department {after['department_code']!r}", field="department")
    if after["district_code"] and not uow.city.has_district(after["district_code"]):
        raise InvalidCommand(f"no district {after['district_code']!r}", field="district")
    return after


def change_user_role(cmd: ChangeUserRole, ctx: HandlerContext) -> dict[str, Any]:
    """Set the user's role, department and district; their sessions end. Returns the user as now."""
    _check_actor(cmd.actor, cmd.comment)
    if cmd.username == cmd.actor and cmd.role not in (None, "admin"):
        raise InvalidCommand("you cannot take the admin role from yourself", field="role")
    with ctx.deps.uow() as uow:
        before = _row(uow, cmd.username)
        after = _new_place(uow, cmd, before)
        if after != before:
            if before["role"] == "admin" and after["role"] != "admin":
                _keep_an_admin(uow, cmd.username, "role")
            store = uow.repository(AdminStore)
            store.update("user", cmd.username, {k: after[k] for k in ("role", "department_code", "district_code")})
            uow.accounts.next_session_epoch(cmd.username)
            store.record_change("user", cmd.username, "change_role", before, after, cmd.actor,
                                ctx.deps.clock.now(), cmd.comment)
    return after


def reset_password(cmd: ResetPassword, ctx: HandlerContext) -> str | None:
    """Set the password (or a generated one-time password, returned once: only its hash is kept); sessions end
    and tokens are revoked. Returns the generated password, or None when one was given."""
    _check_actor(cmd.actor, cmd.comment)
    generated = secrets.token_urlsafe(ONE_TIME_LENGTH)[:ONE_TIME_LENGTH] if cmd.password is None else None
    password = generated or cmd.password or ""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidCommand(f"a password needs {MIN_PASSWORD}–{MAX_PASSWORD} characters", field="password")
    hashed = hash_password(password)  # before the transaction: the write lock is not held while hashing
    now = ctx.deps.clock.now()
    with ctx.deps.uow() as uow:
        _row(uow, cmd.username)
        uow.accounts.set_password_hash(cmd.username, hashed)
        uow.accounts.next_session_epoch(cmd.username)
        revoked = uow.accounts.revoke_tokens(cmd.username, now)
        uow.repository(AdminStore).record_change(
            "user", cmd.username, "reset_password", None,
            {"one_time": generated is not None, "tokens_revoked": revoked}, cmd.actor, now, cmd.comment)
    return generated
