"""The HMAC signature both ways (docs/connectors.md): ``X-Gridcase-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<raw body>">`` with the connector's shared secret, ``X-Gridcase-Timestamp`` Unix seconds within
``SKEW_SECONDS`` of now (an old signed request replayed later is refused)."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping

SKEW_SECONDS = 300
PREFIX = "sha256="


def secret_of(config: Mapping[str, object], environ: Mapping[str, str] | None = None) -> bytes | None:
    """The connector's secret from the environment variable its config names; None when unset or empty."""
    name = config.get("secret_env")
    value = (os.environ if environ is None else environ).get(str(name), "") if isinstance(name, str) else ""
    return value.encode() if value else None


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The header's value for ``body`` sent at ``timestamp``."""
    return PREFIX + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_problem(secret: bytes | None, timestamp: str | None, sent: str | None, body: bytes,
                      now: float) -> str | None:
    """Why a request's signature is refused (None: it is good); compared in constant time."""
    if secret is None:
        return "the connector's secret is not set on this server"
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "X-Gridcase-Timestamp must be Unix seconds"
    if abs(int(timestamp) - now) > SKEW_SECONDS:
        return f"X-Gridcase-Timestamp is more than {SKEW_SECONDS} seconds from the server's time"
    if not sent or not sent.startswith(PREFIX):
        return "X-Gridcase-Signature must be sha256=<hex HMAC>"
    if not hmac.compare_digest(sent.encode(errors="replace"), signature(secret, timestamp, body).encode()):
        return "X-Gridcase-Signature does not match the body"
    return None
