"""People and machine clients: who they are, how they sign in, and which task groups they work.

Passwords are stored as salted scrypt hashes and API tokens only as their sha256. A browser session is valid
in its user's session epoch only: signing out (``EndSessions``) and a new password move the epoch on, which
ends every session of the user. Tokens expire, and can be listed and revoked one by one. Failed sign-ins are
counted by ``engine.service.throttle``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from engine.domain import commands as c
from engine.domain.errors import InvalidCommand, NotFound
from engine.domain.passwords import check_password, hash_password
from engine.persistence.db import is_unique_violation
from engine.persistence.repositories.admin import AdminStore
from engine.persistence.repositories.login_throttle import ACCOUNT, LoginThrottleStore

if TYPE_CHECKING:
    from engine.persistence.uow import UnitOfWork
    from engine.service.bus import HandlerContext
    from engine.service.deps import Deps

ROLES = ("collector", "seat_operator", "shift_lead", "dispatcher", "department_member", "supervisor",
         "process_designer", "auditor", "admin", "integration", "vision_worker")
READS_EVERYTHING = frozenset({"auditor", "admin", "shift_lead", "dispatcher", "seat_operator", "supervisor"})
NO_TASKS = frozenset({"auditor", "admin", "process_designer", "integration", "vision_worker"})
# How the audit log records what a principal did (engine.domain.events.ACTOR_KINDS).
_ACTOR_KINDS = {"integration": "api_client", "vision_worker": "vision_worker"}
ROLE_GROUPS = frozenset({"seat_operator", "shift_lead", "dispatcher", "supervisor"})
PERSON_GROUP = "person:"  # a task whose candidate group is person:<username> is that person's
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
TOKEN_PREFIX = "gct_"
# A token's last use is noted at most this often: most authenticated requests then write nothing.
TOKEN_TOUCH = timedelta(minutes=5)
MAX_TOKEN_DAYS = 3650
MAX_ACTIVE_TOKENS = 20  # per user: issuing one more revokes the oldest (a script signing in at every run)
DEAD_TOKENS_KEPT = timedelta(days=30)  # revoked or expired tokens stay listed this long, then are deleted


@dataclass(frozen=True)
class Principal:
    """Someone signed in: a person or a machine client, with the role and place they work in."""

    username: str
    display_name: str
    role: str
    department: str | None = None
    district: str | None = None

    @property
    def groups(self) -> frozenset[str]:
        """The task candidate groups this principal works: its place's group (role, department or
        ``collector:<district>``) and, for everyone who works tasks, ``person:<username>`` — a task of that group
        is this person's own (an emergency's assembly call, say)."""
        own = frozenset({f"{PERSON_GROUP}{self.username}"}) if self.acts_on_tasks else frozenset()
        if self.role == "collector":
            return own | ({f"collector:{self.district}"} if self.district else set())
        if self.role == "department_member":
            return own | ({self.department} if self.department else set())
        return own | ({self.role} if self.role in ROLE_GROUPS else set())

    @property
    def actor_kind(self) -> str:
        """The kind of actor the audit log records: a person, an API client or the vision worker."""
        return _ACTOR_KINDS.get(self.role, "person")

    @property
    def reads_everything(self) -> bool:
        """True when the role may read every case, not only its own groups'."""
        return self.role in READS_EVERYTHING

    @property
    def acts_on_tasks(self) -> bool:
        """True when the role claims and completes tasks."""
        return self.role not in NO_TASKS


@cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so both paths cost the same."""
    return hash_password(secrets.token_hex(16))


def authenticate(deps: Deps, username: str, password: str) -> Principal | None:
    """The principal whose password this is, or None (unknown user and wrong password look alike)."""
    with deps.uow(read_only=True) as uow:
        found = uow.accounts.user_with_password(username)
    if found is None:
        check_password(password, _dummy_hash())
        return None
    return Principal(*found[0]) if check_password(password, found[1]) else None


def principal(deps: Deps, username: str) -> Principal | None:
    """The principal named ``username``, or None."""
    with deps.uow(read_only=True) as uow:
        row = uow.accounts.user(username)
    return None if row is None else Principal(*row)


def session_user(deps: Deps, username: str) -> tuple[Principal, int] | None:
    """The principal named ``username`` and their session epoch (a session of another epoch has ended)."""
    with deps.uow(read_only=True) as uow:
        found = uow.accounts.user_with_epoch(username)
    return None if found is None else (Principal(*found[0]), found[1])


def list_users(deps: Deps, role: str | None = None) -> list[Principal]:
    """Every user (or those with ``role``), by username."""
    if role is not None and role not in ROLES:
        raise InvalidCommand(f"unknown role {role!r} (one of {', '.join(ROLES)})", field="role")
    with deps.uow(read_only=True) as uow:
        return [Principal(*row) for row in uow.accounts.users(role)]


def _check_password_rules(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidCommand(f"a password needs {MIN_PASSWORD}–{MAX_PASSWORD} characters", field="password")


def _require_user(uow: UnitOfWork, username: str) -> None:
    if uow.accounts.user(username) is None:
        raise NotFound(f"no user {username!r}", field="username")


def _check_new_user(uow: UnitOfWork, cmd: c.AddUser, department: str | None, district: str | None) -> None:
    if not USERNAME.fullmatch(cmd.username):
        raise InvalidCommand("a username has 3–64 letters, digits, '_', '.' or '-'", field="username")
    if cmd.role not in ROLES:
        raise InvalidCommand(f"unknown role {cmd.role!r} (one of {', '.join(ROLES)})", field="role")
    if cmd.role == "department_member" and not department:
        raise InvalidCommand("a department_member needs a department", field="department")
    if cmd.role == "collector" and not district:
        raise InvalidCommand("a collector needs a district", field="district")
    if department and not uow.city.has_department(department):
        raise InvalidCommand(f"no department {department!r}", field="department")
    if district and not uow.city.has_district(district):
        raise InvalidCommand(f"no district {district!r}", field="district")
    taken = uow.accounts.name_taken(cmd.username)
    if taken is not None:
        raise InvalidCommand(f"user {taken!r} already exists", field="username")


def _audit(uow: UnitOfWork, ctx: HandlerContext, kind: str, key: str, action: str, after: dict[str, object],
           actor: str) -> None:
    """Keep an account change in ``admin_changes`` in the command's transaction; never a password or token."""
    uow.repository(AdminStore).record_change(kind, key, action, None, after, actor, ctx.deps.clock.now(), "")


def add_user(cmd: c.AddUser, ctx: HandlerContext) -> Principal:
    """Create a user; every refusal names the field at fault. An empty display name becomes the username."""
    department, district = cmd.department or None, cmd.district or None
    _check_password_rules(cmd.password)
    added = Principal(cmd.username, cmd.display_name.strip() or cmd.username, cmd.role, department, district)
    hashed = hash_password(cmd.password)  # before the transaction: the write lock is not held while hashing
    with ctx.deps.uow() as uow:
        _check_new_user(uow, cmd, department, district)
        try:
            uow.accounts.add_user((added.username, added.display_name, added.role, department, district), hashed)
        except Exception as exc:
            if is_unique_violation(exc):  # added by someone else since the check
                raise InvalidCommand(f"user {cmd.username!r} already exists", field="username") from None
            raise
        _audit(uow, ctx, "user", added.username, "add", {"display_name": added.display_name, "role": added.role,
                                                          "department_code": department, "district_code": district},
               cmd.actor)
    return added


def set_password(cmd: c.SetPassword, ctx: HandlerContext) -> int:
    """Replace a user's password; every session of theirs ends and every token is revoked with it (whoever
    knew the old password may hold either). Returns how many tokens were active."""
    _check_password_rules(cmd.password)
    hashed = hash_password(cmd.password)
    with ctx.deps.uow() as uow:
        if not uow.accounts.set_password_hash(cmd.username, hashed):
            raise NotFound(f"no user {cmd.username!r}", field="username")
        uow.accounts.next_session_epoch(cmd.username)
        revoked: int = uow.accounts.revoke_tokens(cmd.username, ctx.deps.clock.now())
        _audit(uow, ctx, "user", cmd.username, "set_password", {"tokens_revoked": revoked}, cmd.actor)
        return revoked


def end_sessions(cmd: c.EndSessions, ctx: HandlerContext) -> None:
    """End every browser session of the user (a copied session cookie stops working too)."""
    with ctx.deps.uow() as uow:
        if not uow.accounts.next_session_epoch(cmd.username):
            raise NotFound(f"no user {cmd.username!r}", field="username")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(cmd: c.IssueApiToken, ctx: HandlerContext) -> str:
    """A new bearer token for the user, valid ``cmd.days``; returned once, only its sha256 is stored.

    Beyond ``MAX_ACTIVE_TOKENS`` the oldest are revoked, tokens dead for ``DEAD_TOKENS_KEPT`` are deleted, and
    the account's failed sign-ins are forgiven (whoever asks has just proved the password, or is an operator).
    """
    name = cmd.name.strip()
    if not name or len(name) > 100:
        raise InvalidCommand("a token needs a name of 1–100 characters", field="name")
    if isinstance(cmd.days, bool) or not isinstance(cmd.days, int) or not 1 <= cmd.days <= MAX_TOKEN_DAYS:
        raise InvalidCommand(f"a token lasts 1–{MAX_TOKEN_DAYS} days", field="days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.deps.clock.now()
    with ctx.deps.uow() as uow:
        _require_user(uow, cmd.username)
        uow.accounts.add_token(cmd.username, _token_hash(token), name, now, now + timedelta(days=cmd.days))
        uow.accounts.keep_newest_tokens(cmd.username, MAX_ACTIVE_TOKENS, now)
        uow.accounts.delete_dead_tokens(cmd.username, now - DEAD_TOKENS_KEPT)
        uow.repository(LoginThrottleStore).forget(ACCOUNT, cmd.username)
        _audit(uow, ctx, "token", cmd.username, "issue",
               {"name": name, "expires_at": (now + timedelta(days=cmd.days)).isoformat(timespec="seconds")}, cmd.actor)
    return token


@dataclass(frozen=True)
class TokenHolder:
    """Who a live token belongs to, the token's id and when its use was last noted."""

    principal: Principal
    token_id: int
    last_used_at: datetime | None

    def use_to_note(self, now: datetime) -> bool:
        """True when the last noted use is older than ``TOKEN_TOUCH``: send ``RecordTokenUse``."""
        return self.last_used_at is None or now - self.last_used_at >= TOKEN_TOUCH


def resolve_token(deps: Deps, token: str) -> TokenHolder | None:
    """The holder of a token neither revoked nor expired, or None; a pure read (noting the use is
    ``RecordTokenUse``)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with deps.uow(read_only=True) as uow:
        found = uow.accounts.token_holder(_token_hash(token), deps.clock.now())
    return None if found is None else TokenHolder(Principal(*found[0]), found[1], found[2])


def record_token_use(cmd: c.RecordTokenUse, ctx: HandlerContext) -> bool:
    """Note the token's use now, unless another request noted it within ``TOKEN_TOUCH``; True when written.

    It does not wait for the write lock (``ConcurrencyConflict`` at once when another writer holds it): the
    note rides on a request that may only read, which must not queue behind other work for it.
    """
    now = ctx.deps.clock.now()
    with ctx.deps.uow(lock_wait=0) as uow:
        noted: bool = uow.accounts.note_token_use(cmd.token_id, now, now - TOKEN_TOUCH)
        return noted


@dataclass(frozen=True)
class TokenView:
    """One of a user's tokens as listed (never the token itself)."""

    id: int
    name: str
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at is not None and self.expires_at > now else "expired"


def list_tokens(deps: Deps, username: str) -> list[TokenView]:
    """The user's tokens, newest first (revoked and expired ones for ``DEAD_TOKENS_KEPT``)."""
    with deps.uow(read_only=True) as uow:
        _require_user(uow, username)
        return [TokenView(*row) for row in uow.accounts.tokens(username)]


def revoke_api_token(cmd: c.RevokeApiToken, ctx: HandlerContext) -> None:
    """Revoke one active token of the user (404 naming ``token_id`` when they hold no such active token)."""
    with ctx.deps.uow() as uow:
        _require_user(uow, cmd.username)
        if not uow.accounts.revoke_token(cmd.username, cmd.token_id, ctx.deps.clock.now()):
            raise NotFound(f"{cmd.username!r} holds no active token {cmd.token_id}", field="token_id")
        _audit(uow, ctx, "token", cmd.username, "revoke", {"token_id": cmd.token_id}, cmd.actor)


def revoke_api_tokens(cmd: c.RevokeApiTokens, ctx: HandlerContext) -> int:
    """Revoke every active token of the user; returns how many were active."""
    with ctx.deps.uow() as uow:
        _require_user(uow, cmd.username)
        revoked: int = uow.accounts.revoke_tokens(cmd.username, ctx.deps.clock.now())
        _audit(uow, ctx, "token", cmd.username, "revoke_all", {"tokens_revoked": revoked}, cmd.actor)
        return revoked
