"""Logs as JSON lines (``GRIDCASE_LOG_FORMAT=json``), each record carrying the request id it was written for.

The request id comes from the caller's ``X-Request-ID`` (a load balancer's, kept when it is a sane token) or is
made here, is sent back in the response's ``X-Request-ID``, and is set for the request's thread
(``engine.service.observe.request_id``), so every log line the request causes carries it — the access line, the
command line (which names the audit events the command chained: case, sequence range, head hash), warnings and
errors. The scheduler sets its own per timer firing (``timer-<id>-…``). The id is not written into the audit
events themselves: every column of ``case_events`` is hash-chained, so the command line is the join.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

from engine.service.bus import MessageBus
from engine.service.observe import CommandObserved, request_id
from web import context

LOG_FORMATS = ("text", "json")
NOISY = ("spiff", "alembic.runtime.migration", "apscheduler.scheduler", "apscheduler.executors")  # a line per job
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")  # what a proxy's id looks like; anything else is replaced
# LogRecord attributes every record has: whatever else a caller passed in ``extra`` goes into the JSON line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}

_DETAIL_LEVEL = [logging.DEBUG]  # commands' and requests' lines: INFO once JSON lines are configured
command_log = logging.getLogger("gridcase.commands")
access_log = logging.getLogger("gridcase.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: time (UTC), level, logger, message, request id, and the fields
    gridcase's own loggers (``gridcase.*``) pass as ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        rid = request_id.get()
        if rid is not None:
            line["request_id"] = rid
        if record.name.startswith("gridcase."):  # only our own fields: libraries put whole task data in theirs
            line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, log_format: str) -> None:
    """Set the root logger up once for the process: text lines or JSON lines on stderr, at ``level``."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"GRIDCASE_LOG_FORMAT must be text or json, not {log_format!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in NOISY:  # SpiffWorkflow logs every task state change at INFO, with the task's data
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    _DETAIL_LEVEL[0] = logging.INFO if log_format == "json" else logging.DEBUG


def log_command(seen: CommandObserved) -> None:
    """A bus observer: one line per command with its outcome, duration and the audit events it chained (INFO in
    JSON mode; DEBUG in text mode, where a console would drown in them)."""
    fields: dict[str, Any] = {"event": "command", "command": seen.name, "outcome": seen.outcome,
                              "ms": round(seen.seconds * 1000, 2)}
    if seen.events:
        fields["audit"] = [{"case_id": e.case_id, "seq": [e.first_seq, e.last_seq], "head": e.head_hash}
                           for e in seen.events]
    if seen.error is not None:
        fields["error"] = f"{type(seen.error).__name__}: {seen.error}"
    level = logging.WARNING if seen.outcome == "error" else _DETAIL_LEVEL[0]
    command_log.log(level, "%s %s in %.1f ms", seen.name, seen.outcome, seen.seconds * 1000, extra=fields)


def install_request_ids(app: Flask) -> None:
    """Give every request an id (``X-Request-ID``), log one access line per request, and log every command of the
    app's bus with the id."""
    bus: MessageBus = app.extensions[context.BUS]
    bus.observers.append(log_command)

    @app.before_request
    def _begin() -> None:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        rid = sent if _SANE_ID.match(sent) else uuid.uuid4().hex
        g.request_id, g.request_started = rid, time.perf_counter()
        g.request_id_token = request_id.set(rid)

    @app.after_request
    def _end(response: Response) -> Response:
        rid = g.get("request_id")
        if rid is not None:
            response.headers[REQUEST_ID_HEADER] = rid
            elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
            route = request.url_rule.rule if request.url_rule is not None else None
            access_log.log(_DETAIL_LEVEL[0], "%s %s %s", request.method, request.path, response.status_code,
                            extra={"event": "request", "method": request.method, "path": request.path,
                                   "route": route, "status": response.status_code, "ms": round(elapsed * 1000, 2),
                                   "remote": request.remote_addr})
        return response

    @app.teardown_request
    def _forget(_: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id.reset(token)
