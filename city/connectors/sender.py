"""One signed HTTP POST of a push (stdlib ``urllib``, the connector's timeout, redirects not followed), outside any
transaction; the result for ``ReportPushes``."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from city.connectors.commands import PushResult
from city.connectors.deliveries import Push
from city.connectors.signing import signature


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer like any non-2xx (retried): a push never goes to an address its config does not name."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def send(push: Push, now: float, environ: Mapping[str, str] | None = None) -> PushResult:
    """POST the push's body signed with its connector's secret; a missing secret sends nothing."""
    secret = (os.environ if environ is None else environ).get(push.secret_env, "")
    if not secret:
        return PushResult(push.delivery_id, None, f"the secret's variable {push.secret_env} is not set: not sent", 0,
                          push.claimed_at)
    body, stamp = push.body.encode(), str(int(now))
    request = urllib.request.Request(push.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Gridcase-Timestamp": stamp,
        "X-Gridcase-Signature": signature(secret.encode(), stamp, body),
        "X-Gridcase-Delivery": str(push.delivery_id)})
    started = time.monotonic()
    try:
        with _OPENER.open(request, timeout=push.timeout_seconds) as response:
            status, error = int(response.status), None
    except urllib.error.HTTPError as exc:
        status, error = int(exc.code), f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        status, error = None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    return PushResult(push.delivery_id, status, error, int((time.monotonic() - started) * 1000), push.claimed_at)
