"""Password hashing with the standard library's scrypt (salted; parameters stored with the hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$digest`` for ``password``."""
    if not password:
        raise ValueError("a password must not be empty")
    salt = secrets.token_hex(16)
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), n=_N, r=_R, p=_P).hex()
    return f"scrypt${_N}${_R}${_P}${salt}${digest}"


def check_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=salt.encode(), n=int(n), r=int(r), p=int(p)).hex()
    return hmac.compare_digest(candidate, digest)
