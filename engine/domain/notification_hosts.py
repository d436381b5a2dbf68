"""Which hosts a subscription's URL may make the sender call (``GRIDCASE_NOTIFY_HOSTS``).

A webhook (``json(s)://``, ``http(s)://``) makes the scheduler connect wherever the URL says; a subscription set from
a preferences page must not reach the city's internal services. With the setting given, such a URL's host must be on
it (``host``: any port, ``host:port``: that one); empty, any host is allowed (development). Channels whose URL names
a key rather than a host (``wecombot://``, ``dingtalk://``, the fixed-host SMS gateways of
``notifications.SMS_SCHEMES``) reach their vendor's fixed service and are not checked; email takes only a plain
address, sent by the GRIDCASE_SMTP_* server. The sender follows no redirect (``AppriseAsset(http_redirects=False)``),
so a listed host cannot pass the request on to one off the list.
"""

from __future__ import annotations

import re
import urllib.parse

_CHECKED = ("json", "jsons", "form", "forms", "xml", "xmls", "http", "https", "mailto", "mailtos")
_ENTRY = re.compile(r"(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::(\d{1,5}))?")


def parse_hosts(text: str) -> frozenset[str]:
    """``GRIDCASE_NOTIFY_HOSTS``: comma-separated ``host`` or ``host:port``; ValueError naming the setting."""
    hosts = frozenset(entry.strip().lower() for entry in text.split(",") if entry.strip())
    for entry in sorted(hosts):
        match = _ENTRY.fullmatch(entry)
        if match is None or (match.group(1) is not None and not 0 < int(match.group(1)) < 65536):
            raise ValueError(f"GRIDCASE_NOTIFY_HOSTS: {entry!r} is not a host name or host:port")
    return hosts


def host_problem(address: str, hosts: frozenset[str]) -> str | None:
    """Why the sender may not call the host ``address`` names, or None (no list, not a URL with a host of its own,
    or a host on the list)."""
    if not hosts or "://" not in address:
        return None
    parts = urllib.parse.urlsplit(address)
    if parts.scheme.lower() not in _CHECKED:
        return None
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return "the address has no valid port"  # never the address itself: it may hold a key (last_error)
    shown = f"[{host}]" if ":" in host else host
    if shown in hosts or (port is not None and f"{shown}:{port}" in hosts):
        return None
    return f"host {shown}{'' if port is None else f':{port}'} is not allowed: add it to GRIDCASE_NOTIFY_HOSTS"
