"""The admin's account commands (docs/web.md): disable or enable a user, change their role and place, reset
their password. Handled by ``engine.service.account_admin``; each is kept in ``admin_changes``."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.commands import Command


@dataclass(frozen=True)
class DisableUser(Command):
    """Disable a user: they cannot sign in, every session of theirs ends and every token is revoked;
    ``enable``: let them sign in again (sessions and tokens stay ended)."""

    username: str
    actor: str
    enable: bool = False
    comment: str = ""


@dataclass(frozen=True)
class ChangeUserRole(Command):
    """Change a user's role, department and district (None: unchanged; ``""``: none). Their sessions end, so
    the new role is in force at once."""

    username: str
    actor: str
    role: str | None = None
    department: str | None = None
    district: str | None = None
    comment: str = ""


@dataclass(frozen=True)
class ResetPassword(Command):
    """Set a user's password to ``password``, or to a new one-time password returned once (None); sessions end
    and tokens are revoked as with ``SetPassword``."""

    username: str
    actor: str
    password: str | None = field(default=None, repr=False)
    comment: str = ""
