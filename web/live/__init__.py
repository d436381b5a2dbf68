"""The live channel (docs/notifications.md, "In the browser"): ``GET /api/v1/events/stream`` (and ``/events/stream``
for the pages, under the session) answers ``text/event-stream`` for the signed-in account.

Events: ``inbox`` ``{"unread": n}`` (the bell's number, sent first, then on every change) and ``tasks``
``{"group": g}`` (a list of tasks the account works changed: reload it). A comment every 15 s keeps proxies from
closing an idle stream; ``retry:`` tells the browser when to reconnect. An account holds at most five streams
(429 beyond; ``?tab=ID`` replaces that tab's older stream), a process at most as many as leave threads for plain
requests (503, gunicorn: web/gunicorn_conf.py). An open stream looks at its account again every few seconds and
ends (event ``ended``) once the account is disabled, its sessions ended or its role changed.
"""

from __future__ import annotations

import json
import queue
import re
import time
from collections.abc import Callable, Iterator

from flask import Blueprint, Flask, Response, current_app, request
from flask.typing import ResponseReturnValue

from engine.persistence.read.notifications import unread_count
from engine.service.accounts import session_user
from engine.service.deps import Deps
from web.api.auth import caller
from web.api.errors import ApiError
from web.context import deps
from web.live.feeds import start_feed
from web.live.hub import Event, Hub, Stream, TooManyStreams

HUB = "gridcase.live"
HEARTBEAT = 15.0  # seconds between two comments on an idle stream
RECHECK = 5.0  # seconds between two looks at a stream's account (disabled, sessions ended, role changed)
RETRY_MS = 5000  # the browser's wait before it reconnects a dropped stream
PER_ACCOUNT = 5
TAB = re.compile(r"[A-Za-z0-9_-]{1,64}")
bp = Blueprint("live", __name__)


def install_live(app: Flask, per_account: int = PER_ACCOUNT, poll_every: float = 1.0) -> Hub:
    """Give ``app`` its hub and the stream routes (the feed thread starts with the first stream)."""
    hub = Hub(per_account=per_account)
    app.extensions[HUB] = hub
    app.extensions[HUB + ".poll_every"] = poll_every
    app.register_blueprint(bp)
    return hub


def hub() -> Hub:
    """The app's hub (inside a request)."""
    found: Hub = current_app.extensions[HUB]
    return found


def frame(event: Event) -> str:
    """One server-sent event."""
    name, data = event
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _frames(registry: Hub, stream: Stream, unread: int, heartbeat: float, recheck: float,
            still_valid: Callable[[], bool]) -> Iterator[str]:
    """The stream's frames: the bell first, then every event, a comment when idle for ``heartbeat`` seconds; every
    ``recheck`` seconds the account is looked at again and the stream ends (an ``ended`` event) once it was
    disabled, its sessions ended or its role changed — its groups' events are no longer its to hear."""
    try:
        yield f"retry: {RETRY_MS}\n\n"
        yield frame(("inbox", {"unread": unread}))
        wrote = checked = time.monotonic()
        while not registry.closed.is_set():
            idle = False
            try:
                event = stream.events.get(timeout=max(0.0, min(heartbeat - (time.monotonic() - wrote),
                                                               recheck - (time.monotonic() - checked))))
            except queue.Empty:
                event, idle = None, True
            if time.monotonic() - checked >= recheck:
                checked = time.monotonic()
                if not still_valid():
                    yield frame(("ended", {"reason": "account changed"}))
                    return
            if not idle and event is None:
                return
            if event is not None:
                yield frame(event)
                wrote = time.monotonic()
            elif time.monotonic() - wrote >= heartbeat:
                yield ": keep-alive\n\n"  # a write to a gone client fails here, ending the stream
                wrote = time.monotonic()
    finally:
        registry.leave(stream)


def _account_check(engine_deps: Deps, username: str, groups: frozenset[str]) -> Callable[[], bool]:
    """Whether the stream's account is still as it joined: enabled, in the same session epoch, the same groups."""
    joined = session_user(engine_deps, username)
    epoch = None if joined is None else joined[1]

    def still_valid() -> bool:
        found = session_user(engine_deps, username)
        return found is not None and found[1] == epoch and found[0].groups == groups

    return still_valid


def _tab() -> str | None:
    """``?tab=``: the browser tab's id (live.js keeps one per tab); a new stream of the same tab replaces its
    older one. Anything but 1–64 letters, digits, ``-`` and ``_`` is ignored."""
    tab = request.args.get("tab", "")
    return tab if TAB.fullmatch(tab) else None


@bp.get("/api/v1/events/stream")
@bp.get("/events/stream")
def stream() -> ResponseReturnValue:
    """The caller's live events (token or session; 401 otherwise; 406 without ``Accept: text/event-stream``; 429
    beyond five streams of one account)."""
    who = caller()
    if "text/event-stream" not in [kind for kind, _quality in request.accept_mimetypes]:
        # Only a client that asks for a stream gets one (EventSource always does): anything else reading the body
        # to its end, a crawler or an API fuzzer, would wait forever.
        raise ApiError(406, "this is a server-sent event stream: send Accept: text/event-stream")
    registry = hub()
    engine_deps = deps()
    poll_every = float(current_app.extensions[HUB + ".poll_every"])
    try:
        joined = registry.join(who.username, who.groups, lambda h: start_feed(engine_deps, h, poll_every),
                               tab=_tab())
    except TooManyStreams as exc:
        raise ApiError(429 if exc.per_account else 503, str(exc), retry_after=30) from exc
    try:
        with engine_deps.uow(read_only=True) as uow:
            unread = unread_count(uow.store, who.username)
    except BaseException:
        registry.leave(joined)
        raise
    config = current_app.config
    body = _frames(registry, joined, unread, float(config.get("GRIDCASE_LIVE_HEARTBEAT", HEARTBEAT)),
                   float(config.get("GRIDCASE_LIVE_RECHECK", RECHECK)),
                   _account_check(engine_deps, who.username, who.groups))
    response = Response(body, mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.call_on_close(lambda: registry.leave(joined))  # also when the body never started
    return response
