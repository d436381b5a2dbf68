"""People and machine clients: who they are, how they sign in, and which task groups they work.

Passwords are stored as salted scrypt hashes and API tokens only as their sha256.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotFound
from engine.domain.passwords import check_password, hash_password
from engine.persistence.db import as_utc, is_unique_violation

if TYPE_CHECKING:
    from engine.persistence.store import CaseStore
    from engine.service.deps import Deps

ROLES = ("collector", "seat_operator", "shift_lead", "dispatcher", "department_member", "supervisor",
         "process_designer", "auditor", "admin", "integration", "vision_worker")
READS_EVERYTHING = frozenset({"auditor", "admin", "shift_lead", "dispatcher", "seat_operator", "supervisor"})
NO_TASKS = frozenset({"auditor", "admin", "process_designer", "integration", "vision_worker"})
# How the audit log records what a principal did (engine.domain.events.ACTOR_KINDS).
_ACTOR_KINDS = {"integration": "api_client", "vision_worker": "vision_worker"}
ROLE_GROUPS = frozenset({"seat_operator", "shift_lead", "dispatcher", "supervisor"})
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
TOKEN_PREFIX = "gct_"
TOKEN_TOUCH = timedelta(minutes=1)  # last_used_at is written at most this often per token
USER_COLUMNS = "username, display_name, role, department_code, district_code"


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
        """The task candidate groups this principal works."""
        if self.role == "collector":
            return frozenset({f"collector:{self.district}"}) if self.district else frozenset()
        if self.role == "department_member":
            return frozenset({self.department}) if self.department else frozenset()
        return frozenset({self.role}) if self.role in ROLE_GROUPS else frozenset()

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
        row = uow.store.execute(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?",
                                (username,)).fetchone()
    if row is None:
        check_password(password, _dummy_hash())
        return None
    return Principal(*row[:5]) if check_password(password, row[5]) else None


def principal(deps: Deps, username: str) -> Principal | None:
    """The principal named ``username``, or None."""
    with deps.uow(read_only=True) as uow:
        row = uow.store.execute(f"SELECT {USER_COLUMNS} FROM users WHERE username = ?", (username,)).fetchone()
    return None if row is None else Principal(*row[:5])


def list_users(deps: Deps, role: str | None = None) -> list[Principal]:
    """Every user (or those with ``role``), by username."""
    if role is not None and role not in ROLES:
        raise InvalidCommand(f"unknown role {role!r} (one of {', '.join(ROLES)})", field="role")
    where, params = (" WHERE role = ?", (role,)) if role else ("", ())
    with deps.uow(read_only=True) as uow:
        rows = uow.store.execute(f"SELECT {USER_COLUMNS} FROM users{where} ORDER BY username", params).fetchall()
    return [Principal(*row[:5]) for row in rows]


def _check_password_rules(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidCommand(f"a password needs {MIN_PASSWORD}–{MAX_PASSWORD} characters", field="password")


def _require_user(store: CaseStore, username: str) -> None:
    if store.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone() is None:
        raise NotFound(f"no user {username!r}", field="username")


def _check_new_user(store: CaseStore, username: str, role: str, department: str | None,
                    district: str | None) -> None:
    if not USERNAME.fullmatch(username):
        raise InvalidCommand("a username has 3–64 letters, digits, '_', '.' or '-'", field="username")
    if role not in ROLES:
        raise InvalidCommand(f"unknown role {role!r} (one of {', '.join(ROLES)})", field="role")
    if role == "department_member" and not department:
        raise InvalidCommand("a department_member needs a department", field="department")
    if role == "collector" and not district:
        raise InvalidCommand("a collector needs a district", field="district")
    for table, field, code in (("departments", "department", department), ("districts", "district", district)):
        if code and store.execute(f"SELECT 1 FROM {table} WHERE code = ?", (code,)).fetchone() is None:
            raise InvalidCommand(f"no {field} {code!r}", field=field)
    taken = store.execute("SELECT username FROM users WHERE lower(username) = lower(?)", (username,)).fetchone()
    if taken is not None:
        raise InvalidCommand(f"user {taken[0]!r} already exists", field="username")


def add_user(deps: Deps, username: str, display_name: str, role: str, password: str,
             department: str | None = None, district: str | None = None) -> Principal:
    """Create a user; every refusal names the field at fault. An empty display name becomes the username."""
    department, district = department or None, district or None
    _check_password_rules(password)
    added = Principal(username, display_name.strip() or username, role, department, district)
    hashed = hash_password(password)  # before the transaction: the write lock is not held while hashing
    with deps.uow() as uow:
        store = uow.store
        _check_new_user(store, username, role, department, district)
        try:
            store.execute(f"INSERT INTO users ({USER_COLUMNS}, password_hash) VALUES (?, ?, ?, ?, ?, ?)",
                          (username, added.display_name, role, department, district, hashed))
        except Exception as exc:
            if is_unique_violation(exc):  # added by someone else since the check
                raise InvalidCommand(f"user {username!r} already exists", field="username") from None
            raise
        uow.commit()
    return added


def set_password(deps: Deps, username: str, password: str) -> None:
    """Replace ``username``'s password."""
    _check_password_rules(password)
    hashed = hash_password(password)
    with deps.uow() as uow:
        cur = uow.store.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hashed, username))
        if cur.rowcount != 1:
            raise NotFound(f"no user {username!r}", field="username")
        uow.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(deps: Deps, username: str, name: str) -> str:
    """A new bearer token for ``username``; returned once, only its sha256 is stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidCommand("a token needs a name of 1–100 characters", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with deps.uow() as uow:
        store = uow.store
        _require_user(store, username)
        store.execute("INSERT INTO api_tokens (username, token_hash, name, created_at) VALUES (?, ?, ?, ?)",
                      (username, _token_hash(token), name, store.dialect.stamp(deps.clock.now())))
        uow.commit()
    return token


def resolve_token(deps: Deps, token: str) -> Principal | None:
    """The principal an unrevoked token belongs to, or None; notes its use at most once a minute."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with deps.uow(read_only=True) as uow:
        row = uow.store.execute(
            "SELECT u.username, u.display_name, u.role, u.department_code, u.district_code, t.id, t.last_used_at"
            " FROM api_tokens t JOIN users u ON u.username = t.username"
            " WHERE t.token_hash = ? AND t.revoked_at IS NULL", (_token_hash(token),)).fetchone()
    if row is None:
        return None
    now, last_used = deps.clock.now(), as_utc(row[6])
    if last_used is None or now - last_used >= TOKEN_TOUCH:
        try:
            with deps.uow() as uow:
                uow.store.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                                  (uow.store.dialect.stamp(now), row[5]))
                uow.commit()
        except ConcurrencyConflict:  # the database is busy: the note can wait for the next use
            pass
    return Principal(*row[:5])


def revoke_tokens(deps: Deps, username: str) -> int:
    """Revoke every active token of ``username``; returns how many were active."""
    with deps.uow() as uow:
        store = uow.store
        _require_user(store, username)
        count = store.execute("UPDATE api_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL",
                              (store.dialect.stamp(deps.clock.now()), username)).rowcount
        uow.commit()
    return count


class LoginThrottle:
    """Failed sign-ins per key (e.g. username and address), in memory: ``limit`` failures within ``window``
    seconds block the key until the oldest leaves the window. Times are seconds passed in (``time.monotonic()``).
    """

    def __init__(self, limit: int = 5, window: float = 300.0, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float) -> float:
        """Seconds ``key`` must wait before its next attempt (0 when it may try now)."""
        with self._lock:
            failures = self._failures.get(key)
            if failures is None or len(failures) < self.limit:
                return 0.0
            return max(0.0, failures[0] + self.window - now)

    def failed(self, key: str, now: float) -> None:
        """Record a failed attempt for ``key``."""
        with self._lock:
            failures = self._failures.pop(key, None) or deque(maxlen=self.limit)
            while failures and failures[0] + self.window <= now:
                failures.popleft()
            failures.append(now)
            self._failures[key] = failures  # re-inserted: the dict stays ordered by last failure
            oldest = next(iter(self._failures))  # forget idle keys; stops at latest, which is ``key``
            while len(self._failures) > self.max_keys or self._failures[oldest][-1] + self.window <= now:
                del self._failures[oldest]
                oldest = next(iter(self._failures))

    def succeeded(self, key: str) -> None:
        """Forget ``key``'s failures after a successful sign-in."""
        with self._lock:
            self._failures.pop(key, None)
