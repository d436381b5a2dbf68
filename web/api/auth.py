"""Who is calling: a bearer token (machines) or the browser session with its CSRF token (people)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request, session
from flask_login import current_user

from engine.domain.commands import RecordTokenUse
from engine.domain.errors import ConcurrencyConflict
from engine.service.accounts import Principal, resolve_token
from web.api.errors import ApiError
from web.context import bus as app_bus
from web.policy import Capability, allows

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    """The session's CSRF token (made on first use); pages put it in forms and htmx headers."""
    token = session.get("csrf_token")
    if not token:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf() -> None:
    """Refuse an unsafe browser request whose CSRF token is missing or wrong."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf_token") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        raise ApiError(403, "missing or wrong CSRF token")


def caller() -> Principal:
    """The authenticated caller, or 401."""
    if "principal" in g:
        known: Principal = g.principal
        return known
    header = request.headers.get("Authorization", "")
    found: Principal | None = None
    if header.startswith("Bearer "):
        found = _token_principal(header.removeprefix("Bearer ").strip())
    elif current_user.is_authenticated:
        if request.method in UNSAFE:
            check_csrf()
        found = current_user.principal
    if found is None:
        raise ApiError(401, "sign in, or send Authorization: Bearer <token>")
    g.principal = found
    return found


def _token_principal(token: str) -> Principal:
    """The token's holder (401 when unknown, expired or revoked); its use is noted now and then, never waiting
    for the write lock (a read request must not queue behind other work to note it)."""
    bus = app_bus()
    holder = resolve_token(bus.deps, token)
    if holder is None:
        raise ApiError(401, "invalid, expired or revoked token")
    if holder.use_to_note(bus.deps.clock.now()):
        with suppress(ConcurrencyConflict):  # the database is busy: the note can wait for the next use
            bus.handle(RecordTokenUse(holder.token_id, actor=holder.principal.username))
    return holder.principal


def authenticated(capability: Capability | None = None) -> Callable[[F], F]:
    """Decorator: the route needs a caller who has ``capability`` when given — its role, and its scope when the
    capability has one (else 403; ``web.policy.allows``)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = caller()
            if capability is not None and who.role not in capability:
                raise ApiError(403, f"role {who.role} may not {capability.name}")
            if capability is not None and not allows(who, capability):  # the role may, but not this person
                raise ApiError(403, f"{who.username} may not {capability.name}")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
