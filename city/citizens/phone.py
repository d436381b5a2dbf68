"""A citizen's phone number and the secrets sent to it: the number normalised (a mainland mobile number), the
6-digit code and the ticket kept only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets

from engine.domain.errors import InvalidCommand

MOBILE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits only: \d would take full-width and Arabic-Indic digits
_SEPARATORS = re.compile(r"[ \-]")
MAX_INPUT = 32  # longer than any way of writing a number: refused before any work
CODE = re.compile(r"[0-9]{6}")


def normalise_phone(raw: object) -> str:
    """The 11-digit number of ``raw`` (``+86``/``0086`` prefix, spaces and dashes allowed); InvalidCommand naming
    ``phone`` otherwise."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT:
        raise InvalidCommand("a mainland mobile number (11 digits starting 13–19) is required", field="phone")
    number = _SEPARATORS.sub("", raw.strip())
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix):]
    if not MOBILE.fullmatch(number):
        raise InvalidCommand("a mainland mobile number (11 digits starting 13–19) is required", field="phone")
    return number


def check_code(raw: object) -> str:
    """The 6 ASCII digits of a code (spaces around allowed); InvalidCommand naming ``code`` otherwise."""
    code = raw.strip() if isinstance(raw, str) and len(raw) <= MAX_INPUT else ""
    if not CODE.fullmatch(code):
        raise InvalidCommand("the code is the 6 digits sent to the phone", field="code")
    return code


def new_code() -> str:
    """A fresh 6-digit code."""
    return f"{secrets.randbelow(1_000_000):06d}"


def new_salt() -> str:
    """A per-row salt (kept in front of the hash: ``salt$digest`` would not fit 64 characters, so the salt is
    the first 16 hex digits and the hash the remaining 48)."""
    return secrets.token_hex(8)


def code_hash(phone: str, code: str, salt: str) -> str:
    """``salt`` + 48 hex digits of HMAC-SHA256(salt, phone:code): 64 characters, the column's width."""
    digest = hmac.new(salt.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()
    return salt + digest[:48]


def code_matches(stored: str, phone: str, code: str) -> bool:
    """Whether ``code`` for ``phone`` is the one hashed in ``stored`` (constant time)."""
    return len(stored) == 64 and hmac.compare_digest(stored, code_hash(phone, code, stored[:16]))


def new_ticket() -> str:
    """A ticket a report cites once the phone is confirmed."""
    return secrets.token_urlsafe(24)


def ticket_hash(ticket: str) -> str:
    """The sha256 kept of a ticket (it is random: no salt needed)."""
    return hashlib.sha256(ticket.encode("utf-8", "surrogatepass")).hexdigest()


def throttle_key(address: str) -> str:
    """A client address as its throttles count it: an IPv6 address by its /64 (one subscriber's network can take
    any address in it, so each one alone would dodge the limit), an IPv4-mapped one as its IPv4, anything else as
    it is. Logs keep the address itself."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
