"""Sending one message through Apprise: the only module that imports it (import-linter contract).

Apprise is one well-kept library for email, SMS gateways, WeCom and DingTalk robots and webhooks: gridcase writes
no sender of its own. A plain email address becomes a ``mailto://``/``mailtos://`` URL over the SMTP settings
(``GRIDCASE_SMTP_HOST/PORT/USER/PASSWORD/FROM/TLS``); an ``http(s)://`` webhook becomes ``json(s)://`` (Apprise
posts ``{"version", "title", "message", "type"}``); any other address is already an Apprise URL.
"""

from __future__ import annotations

import logging
import urllib.parse

import apprise

from engine.domain.notifications import SmtpSettings


def apprise_url(channel: str, address: str, smtp: SmtpSettings) -> str:
    """The Apprise URL a delivery's address stands for on its channel."""
    if channel == "email" and "://" not in address:
        quote = urllib.parse.quote
        login = f"{quote(smtp.user, safe='')}:{quote(smtp.password, safe='')}@" if smtp.user else ""
        scheme = "mailto" if smtp.tls == "none" else "mailtos"
        query = {"from": smtp.sender, "to": address, "smtp": smtp.host, "cto": f"{smtp.timeout:g}",
                 "rto": f"{smtp.timeout:g}"}
        if smtp.tls != "none":
            query["mode"] = smtp.tls
        return f"{scheme}://{login}{smtp.host}:{smtp.port}/?{urllib.parse.urlencode(query)}"
    lowered = address.lower()
    if lowered.startswith(("http://", "https://")):
        return "json" + address[4:]
    return address


def send(channel: str, address: str, title: str, body: str, smtp: SmtpSettings) -> str | None:
    """Send one message; None when Apprise says it went out, else what went wrong (the last warning Apprise logged
    for this call: its result keeps each call's log apart from other sends running at once)."""
    sender = apprise.Apprise()
    if not sender.add(apprise_url(channel, address, smtp)):
        return f"Apprise does not accept the {channel} address"
    try:
        result = sender.notify(title=title, body=body, log_level=logging.WARNING)
    except Exception as exc:  # a plugin bug must not stop the sender: the delivery is retried
        return f"{type(exc).__name__}: {exc}"[:2000]
    with result:
        if result:
            return None
        lines = [entry.message for entry in result.logs()]
    return (lines[-1] if lines else f"the {channel} send failed")[:2000]
