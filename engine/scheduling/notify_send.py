"""Sending one message through Apprise: the only module that imports it (import-linter contract).

Apprise is one well-kept library for email, SMS gateways, WeCom and DingTalk robots and webhooks: gridcase writes
no sender of its own. An email address becomes a ``mailto://``/``mailtos://`` URL over the SMTP settings
(``GRIDCASE_SMTP_HOST/PORT/USER/PASSWORD/FROM/TLS``); an ``http(s)://`` webhook becomes ``json(s)://`` (Apprise
posts ``{"version", "title", "message", "type"}``); any other address is already an Apprise URL.

The sender sets what an address must not: its own connect and read timeouts (``GRIDCASE_NOTIFY_CONNECT_TIMEOUT``,
``_READ_TIMEOUT``) on every plugin, an overall bound per send, and no HTTP redirects followed (a host on
GRIDCASE_NOTIFY_HOSTS cannot pass the request on to one off it). Addresses carry no query string
(``engine.domain.notifications.address_problem``), so Apprise's per-URL options cannot be set by a subscriber.
A ``log://…`` address is not sent at all: the message is written to this module's log at WARNING (a development
sink, so `gridcase run` shows a citizen's code in its terminal).
"""

from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass

import apprise

from engine.domain.notifications import SmtpSettings

LOG_PREFIX = "log://"  # an address written to this log instead of sent (engine.domain.notifications.SMS_SCHEMES)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timeouts:
    """The sender's own timeouts (seconds), whatever an address would say."""

    connect: float = 5.0
    read: float = 10.0

    @property
    def overall(self) -> float:
        """How long one send may take in all (Apprise stops waiting then): a few round trips of an SMTP session."""
        return 3 * (self.connect + self.read)


def apprise_url(channel: str, address: str, smtp: SmtpSettings) -> str:
    """The Apprise URL a delivery's address stands for on its channel."""
    if channel == "email":
        quote = urllib.parse.quote
        login = f"{quote(smtp.user, safe='')}:{quote(smtp.password, safe='')}@" if smtp.user else ""
        scheme = "mailto" if smtp.tls == "none" else "mailtos"
        query = {"from": smtp.sender, "to": address, "smtp": smtp.host}
        if smtp.tls != "none":
            query["mode"] = smtp.tls
        return f"{scheme}://{login}{smtp.host}:{smtp.port}/?{urllib.parse.urlencode(query)}"
    lowered = address.lower()
    if lowered.startswith(("http://", "https://")):
        return "json" + address[4:]
    return address


def sender_for(url: str, timeouts: Timeouts) -> apprise.Apprise | None:
    """An Apprise holding the one plugin for ``url``, with the sender's timeouts and no redirects forced on it
    (None: Apprise does not accept the URL)."""
    asset = apprise.AppriseAsset(http_redirects=False, service_timeout=timeouts.overall)
    plugin = apprise.Apprise.instantiate(url, asset=asset)
    if plugin is None:
        return None
    plugin.socket_connect_timeout = timeouts.connect  # set after parsing: an address's cto=/rto= cannot win
    plugin.socket_read_timeout = timeouts.read
    plugin.redirects = False
    sender = apprise.Apprise(asset=asset)
    sender.add(plugin)
    return sender


def send(channel: str, address: str, title: str, body: str, smtp: SmtpSettings,
         timeouts: Timeouts | None = None) -> str | None:
    """Send one message; None when Apprise says it went out, else what went wrong (the last warning Apprise logged
    for this call: its result keeps each call's log apart from other sends running at once)."""
    if address.lower().startswith(LOG_PREFIX):  # the development sink: `gridcase run` without an SMS gateway
        log.warning("%s message to %s (log:// sink): %s\n%s", channel, address[len(LOG_PREFIX):], title, body)
        return None
    sender = sender_for(apprise_url(channel, address, smtp), timeouts or Timeouts())
    if sender is None:
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
