"""The accounts repository: users, their session epochs and their API tokens (a token is stored only as its
sha256)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

USER_COLUMNS = "username, display_name, role, department_code, district_code"
# A user an admin disabled (disabled_entries) signs in with nothing: neither a password, a session nor a token.
ENABLED = "NOT EXISTS (SELECT 1 FROM disabled_entries d WHERE d.kind = 'user' AND d.key = users.username)"
# (username, display name, role, department code, district code)
UserRow = tuple[str, str, str, str | None, str | None]
TOKEN_COLUMNS = "id, name, created_at, expires_at, last_used_at, revoked_at"
# (id, name, created, expires, last used, revoked)
TokenRow = tuple[int, str, datetime | None, datetime | None, datetime | None, datetime | None]


def _user(row: tuple[Any, ...]) -> UserRow:
    return tuple(row[:5])


class AccountStore:
    """Reads and writes ``users`` and ``api_tokens`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def user(self, username: str) -> UserRow | None:
        """The user named exactly ``username``."""
        row = self._store._execute(f"SELECT {USER_COLUMNS} FROM users WHERE username = ?", (username,)).fetchone()
        return None if row is None else _user(row)

    def is_enabled(self, username: str) -> bool:
        """True when the user exists and no admin disabled them."""
        row = self._store._execute(f"SELECT 1 FROM users WHERE username = ? AND {ENABLED}", (username,)).fetchone()
        return row is not None

    def enabled_admins(self) -> list[str]:
        """The enabled admins' usernames, their rows locked for the transaction (PostgreSQL: FOR UPDATE, so two
        admins disabling or demoting each other at once are serialised; SQLite holds the write lock anyway)."""
        lock = self._store.dialect.for_update
        self._store._execute(f"SELECT username FROM users WHERE role = 'admin' ORDER BY username{lock}").fetchall()
        rows = self._store._execute(f"SELECT username FROM users WHERE role = 'admin' AND {ENABLED}"
                                    " ORDER BY username").fetchall()
        return [str(r[0]) for r in rows]

    def claimed_tasks(self, username: str) -> list[str]:
        """The ids of the ready tasks ``username`` holds."""
        rows = self._store._execute("SELECT id FROM human_tasks WHERE assignee = ? AND state = 'ready' ORDER BY id",
                                    (username,)).fetchall()
        return [str(r[0]) for r in rows]

    def user_with_password(self, username: str) -> tuple[UserRow, str] | None:
        """The user and their password hash."""
        row = self._store._execute(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ? AND {ENABLED}",
                                  (username,)).fetchone()
        return None if row is None else (_user(row), str(row[5]))

    def user_with_epoch(self, username: str) -> tuple[UserRow, int] | None:
        """The user and their session epoch (sessions that began in another epoch have ended)."""
        row = self._store._execute(f"SELECT {USER_COLUMNS}, session_epoch FROM users WHERE username = ? AND {ENABLED}",
                                  (username,)).fetchone()
        return None if row is None else (_user(row), int(row[5]))

    def users(self, role: str | None = None) -> list[UserRow]:
        """Every user (or those with ``role``), by username."""
        where, params = (" WHERE role = ?", (role,)) if role else ("", ())
        rows = self._store._execute(f"SELECT {USER_COLUMNS} FROM users{where} ORDER BY username", params).fetchall()
        return [_user(row) for row in rows]

    def name_taken(self, username: str) -> str | None:
        """The existing username that equals ``username`` ignoring case, if any."""
        row = self._store._execute("SELECT username FROM users WHERE lower(username) = lower(?)",
                                  (username,)).fetchone()
        return None if row is None else str(row[0])

    def add_user(self, user: UserRow, password_hash: str) -> None:
        """Insert a user (a unique violation propagates: the name was taken meanwhile)."""
        self._store._execute(f"INSERT INTO users ({USER_COLUMNS}, password_hash) VALUES (?, ?, ?, ?, ?, ?)",
                            (*user, password_hash))

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        """Replace the user's password hash; False when there is no such user."""
        cur = self._store._execute("UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username))
        return bool(cur.rowcount == 1)

    def next_session_epoch(self, username: str) -> bool:
        """Move the user's session epoch on (every session of theirs ends); False when there is no such user."""
        cur = self._store._execute("UPDATE users SET session_epoch = session_epoch + 1 WHERE username = ?",
                                  (username,))
        return bool(cur.rowcount == 1)

    # -- API tokens ----------------------------------------------------------------------------

    def add_token(self, username: str, token_hash: str, name: str, now: datetime, expires_at: datetime) -> None:
        """Store a new token's hash."""
        stamp = self._store.dialect.stamp
        self._store._execute("INSERT INTO api_tokens (username, token_hash, name, created_at, expires_at)"
                            " VALUES (?, ?, ?, ?, ?)", (username, token_hash, name, stamp(now), stamp(expires_at)))

    def token_holder(self, token_hash: str, now: datetime) -> tuple[UserRow, int, datetime | None] | None:
        """(user, token id, last used) of a token neither revoked nor expired at ``now``."""
        row = self._store._execute(
            f"SELECT {', '.join('users.' + c for c in USER_COLUMNS.split(', '))}, t.id, t.last_used_at"
            " FROM api_tokens t JOIN users ON users.username = t.username"
            f" WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND {ENABLED}",
            (token_hash, self._store.dialect.stamp(now))).fetchone()
        return None if row is None else (_user(row), int(row[5]), as_utc(row[6]))

    def tokens(self, username: str) -> list[TokenRow]:
        """The user's tokens, newest first."""
        rows = self._store._execute(f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE username = ? ORDER BY id DESC",
                                   (username,)).fetchall()
        return [(int(r[0]), str(r[1]), as_utc(r[2]), as_utc(r[3]), as_utc(r[4]), as_utc(r[5])) for r in rows]

    def note_token_use(self, token_id: int, now: datetime, older_than: datetime) -> bool:
        """Set the token's last use to ``now`` unless it was noted after ``older_than``."""
        stamp = self._store.dialect.stamp
        cur = self._store._execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"
                                  " AND (last_used_at IS NULL OR last_used_at <= ?)",
                                  (stamp(now), token_id, stamp(older_than)))
        return bool(cur.rowcount == 1)

    def revoke_token(self, username: str, token_id: int, now: datetime) -> bool:
        """Revoke one active token of the user; False when the user has no such active token."""
        cur = self._store._execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND username = ?"
                                  " AND revoked_at IS NULL", (self._store.dialect.stamp(now), token_id, username))
        return bool(cur.rowcount == 1)

    def revoke_tokens(self, username: str, now: datetime) -> int:
        """Revoke the user's active tokens; how many were active."""
        cur = self._store._execute("UPDATE api_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL",
                                  (self._store.dialect.stamp(now), username))
        return int(cur.rowcount)

    def keep_newest_tokens(self, username: str, keep: int, now: datetime) -> int:
        """Revoke the user's unrevoked tokens but the ``keep`` newest; how many were revoked."""
        cur = self._store._execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL AND id NOT IN"
            " (SELECT id FROM api_tokens WHERE username = ? AND revoked_at IS NULL ORDER BY id DESC LIMIT ?)",
            (self._store.dialect.stamp(now), username, username, keep))
        return int(cur.rowcount)

    def delete_dead_tokens(self, username: str, before: datetime) -> int:
        """Delete the user's tokens revoked or expired before ``before``; how many."""
        stamp = self._store.dialect.stamp(before)
        cur = self._store._execute("DELETE FROM api_tokens WHERE username = ? AND (revoked_at < ? OR expires_at < ?)",
                                  (username, stamp, stamp))
        return int(cur.rowcount)
