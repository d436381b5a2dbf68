"""``/metrics`` in Prometheus text format: requests, commands, the database pool, timers and the outbox.

Who may read it: a caller sending ``Authorization: Bearer $GRIDCASE_METRICS_TOKEN`` (a scrape token, no account
behind it), or a signed-in admin (``policy.READ_METRICS``, a token or the session). Nobody else: anonymous reads
are refused (401), because a reverse proxy makes every caller look local, so an address rule would let anyone in.

Counters and histograms live in this process; under gunicorn (several worker processes) they are kept in
prometheus-client's multi-process files in ``GRIDCASE_METRICS_DIR`` (``web.gunicorn_conf`` makes one when unset)
and every worker's answer adds up all of them. The database backlog (timers due and failed, timer lag, outbox) is
read from the database at scrape time, so every host reports the same figures. The scheduler process serves its own
(timer firings and their lag) with ``serve_scheduler_metrics``. Metric names and alerts: docs/operations.md.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import event
from sqlalchemy.engine import Engine

from engine.persistence.read.operations import backlog
from engine.scheduling.scheduler import TimerFiring, TimerScheduler
from engine.service.bus import MessageBus
from engine.service.deps import Deps
from engine.service.observe import CommandObserved
from web import context
from web.settings import Settings

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.1, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0, 300.0, 1800.0)


class Metrics:
    """This process's metrics (one set per process: prometheus-client keeps them per process and, in multi-process
    mode, writes them to files named by the process id)."""

    def __init__(self, multiprocess_dir: Path | None) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        reg = self.registry
        self.requests = Counter("gridcase_http_requests", "HTTP requests answered, by route template, method and"
                                " status", ["route", "method", "status"], registry=reg)
        self.request_seconds = Histogram("gridcase_http_request_duration_seconds", "HTTP request latency",
                                         ["route", "method"], buckets=LATENCY_BUCKETS, registry=reg)
        self.commands = Counter("gridcase_commands", "Commands handled, by type and outcome (ok, refused, conflict,"
                                " error)", ["command", "outcome"], registry=reg)
        self.command_seconds = Histogram("gridcase_command_duration_seconds", "Command duration (handler and"
                                         " commit)", ["command"], buckets=LATENCY_BUCKETS, registry=reg)
        self.pool_size = Gauge("gridcase_db_pool_size", "Connections the database pools keep (without overflow)",
                               multiprocess_mode="livesum", registry=reg)
        self.pool_open = Gauge("gridcase_db_connections_open", "Database connections open",
                               multiprocess_mode="livesum", registry=reg)
        self.pool_checked_out = Gauge("gridcase_db_connections_checked_out", "Database connections in use",
                                      multiprocess_mode="livesum", registry=reg)
        self.timer_firings = Counter("gridcase_scheduler_timer_firings", "Timer firings by this scheduler, by"
                                     " outcome (fired, failed, busy, already-fired, not-fired, not-due)",
                                     ["outcome"], registry=reg)
        self.timer_lag = Histogram("gridcase_scheduler_timer_lag_seconds", "How late a timer fired after its due"
                                   " time", buckets=LAG_BUCKETS, registry=reg)
        self._engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def observe_command(self, seen: CommandObserved) -> None:
        """A bus observer: count and time every command."""
        self.commands.labels(seen.name, seen.outcome).inc()
        self.command_seconds.labels(seen.name).observe(seen.seconds)

    def observe_timer(self, firing: TimerFiring) -> None:
        """A scheduler observer: count firings by outcome, and the lag of those that fired."""
        self.timer_firings.labels(firing.outcome).inc()
        if firing.outcome == "fired" and firing.lag_seconds is not None:
            self.timer_lag.observe(max(0.0, firing.lag_seconds))

    def watch_pool(self, engine: Engine) -> None:
        """Follow ``engine``'s pool: open and checked-out connections (once per engine)."""
        if engine in self._engines:
            return
        self._engines.add(engine)
        pool = engine.pool
        size, idle, busy = (getattr(pool, name, None) for name in ("size", "checkedin", "checkedout"))
        self.pool_size.inc(size() if callable(size) else 0)
        if callable(idle) and callable(busy):  # connections opened before now are closed later: count them in
            self.pool_open.inc(idle() + busy())
            self.pool_checked_out.inc(busy())
        for name, gauge, step in (("connect", self.pool_open, 1), ("close", self.pool_open, -1),
                                  ("close_detached", self.pool_open, -1), ("checkout", self.pool_checked_out, 1),
                                  ("checkin", self.pool_checked_out, -1)):
            event.listen(engine, name, _stepper(gauge, step))

    def exposition(self, deps: Deps | None) -> bytes:
        """The text exposition: this process's (or every worker's) metrics, then the database backlog."""
        from prometheus_client import generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        if self.multiprocess_dir is not None:
            collected = CollectorRegistry()
            MultiProcessCollector(collected, path=str(self.multiprocess_dir))
            body = generate_latest(collected)
        else:
            body = generate_latest(self.registry)
        if deps is not None:
            backlog_registry = CollectorRegistry()
            backlog_registry.register(BacklogCollector(deps))
            body += generate_latest(backlog_registry)
        return body


def _stepper(gauge: Any, step: int) -> Any:
    def listener(*_: Any) -> None:
        gauge.inc(step)

    return listener


class BacklogCollector(Collector):
    """The database's timer and outbox backlog, read at scrape time (a read-only unit of work)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.deps.clock.now()
        with self.deps.uow(read_only=True) as uow:
            found = backlog(uow.store, now)
        lag = (now - found.oldest_due_at).total_seconds() if found.oldest_due_at else 0.0
        oldest = (now - found.oldest_undelivered_at).total_seconds() if found.oldest_undelivered_at else 0.0
        for name, text, value in (
                ("gridcase_timers_pending", "Timers waiting (every case)", found.timers_pending),
                ("gridcase_timers_due", "Pending timers already due: the schedulers have not fired them yet",
                 found.timers_due),
                ("gridcase_timer_lag_seconds", "How long the oldest due timer has waited past its due time",
                 max(0.0, lag)),
                ("gridcase_timers_failed", "Timers whose firing failed (status failed: the model needs fixing)",
                 found.timers_failed),
                ("gridcase_outbox_backlog", "Thrown messages not delivered yet", found.outbox_undelivered),
                ("gridcase_outbox_given_up", "Undelivered messages the scheduler stopped retrying",
                 found.outbox_given_up),
                ("gridcase_outbox_oldest_seconds", "Age of the oldest undelivered message", max(0.0, oldest))):
            yield GaugeMetricFamily(name, text, value=value)


_LOCK = threading.Lock()
_PROCESS_METRICS: Metrics | None = None


def process_metrics(multiprocess_dir: Path | None = None) -> Metrics:
    """This process's metrics, made on first use; in multi-process mode when ``multiprocess_dir`` is given (the
    mode cannot change later in the process: prometheus-client's values are made for one mode)."""
    global _PROCESS_METRICS
    with _LOCK:
        if _PROCESS_METRICS is None:
            if multiprocess_dir is not None:
                multiprocess_dir.mkdir(parents=True, exist_ok=True)
                os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(multiprocess_dir)
                if not getattr(values.ValueClass, "_multiprocess", False):
                    values.ValueClass = values.MultiProcessValue()
            _PROCESS_METRICS = Metrics(multiprocess_dir)
        elif _PROCESS_METRICS.multiprocess_dir != multiprocess_dir:
            raise RuntimeError(f"metrics already set up with GRIDCASE_METRICS_DIR={_PROCESS_METRICS.multiprocess_dir}"
                               f" in this process, now asked for {multiprocess_dir}")
        return _PROCESS_METRICS


def install_metrics(app: Flask, settings: Settings) -> Metrics:
    """Time every request, count every command of the app's bus, follow its pool, and serve ``/metrics``."""
    metrics = process_metrics(settings.metrics_dir)
    bus: MessageBus = app.extensions[context.BUS]
    bus.observers.append(metrics.observe_command)
    metrics.watch_pool(bus.deps.db)

    @app.before_request
    def _started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _answered(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.requests.labels(route, request.method, str(response.status_code)).inc()
            metrics.request_seconds.labels(route, request.method).observe(time.perf_counter() - started)
        return response

    app.add_url_rule("/metrics", "metrics", lambda: _metrics_view(metrics))
    return metrics


def _metrics_view(metrics: Metrics) -> Response:
    refusal = _refusal(context.settings())
    if refusal is not None:
        return refusal
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(metrics.exposition(context.deps()), content_type=CONTENT_TYPE_LATEST)


def _refusal(settings: Settings) -> Response | None:
    """None when the caller may read the metrics (scrape token, or an admin); else the 401 or 403 to answer."""
    header = request.headers.get("Authorization", "")
    sent = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    if sent and settings.metrics_token and hmac.compare_digest(sent.encode(), settings.metrics_token.encode()):
        return None
    from web.api.auth import caller
    from web.api.errors import ApiError
    from web.policy import READ_METRICS

    try:
        who = caller()
    except ApiError:
        return Response("metrics: send Authorization: Bearer <GRIDCASE_METRICS_TOKEN> (or an admin's token)\n",
                        401, {"WWW-Authenticate": 'Bearer realm="gridcase metrics"'}, content_type="text/plain")
    if who.role not in READ_METRICS:
        return Response(f"metrics: role {who.role} may not read metrics\n", 403, content_type="text/plain")
    return None


def serve_scheduler_metrics(settings: Settings, deps: Deps, metrics: Metrics) -> Any:
    """The scheduler's ``/metrics`` listener on ``GRIDCASE_SCHEDULER_METRICS_ADDRESS`` (host:port), in a daemon
    thread; it needs ``GRIDCASE_METRICS_TOKEN`` (there is no admin sign-in here). Returns the server."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    address = settings.scheduler_metrics_address or ""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"GRIDCASE_SCHEDULER_METRICS_ADDRESS must be host:port, not {address!r}")
    if not settings.metrics_token:
        raise ValueError("GRIDCASE_SCHEDULER_METRICS_ADDRESS needs GRIDCASE_METRICS_TOKEN: metrics are never"
                         " served to anonymous callers")
    expected = f"Bearer {settings.metrics_token}".encode()

    def app(environ: dict[str, Any], start: Any) -> Iterable[bytes]:
        sent = str(environ.get("HTTP_AUTHORIZATION", "")).encode()
        if environ.get("PATH_INFO") != "/metrics":
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: /metrics\n"]
        if not hmac.compare_digest(sent, expected):
            start("401 Unauthorized", [("Content-Type", "text/plain"),
                                       ("WWW-Authenticate", 'Bearer realm="gridcase metrics"')])
            return [b"metrics: send Authorization: Bearer <GRIDCASE_METRICS_TOKEN>\n"]
        from prometheus_client import CONTENT_TYPE_LATEST

        start("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [metrics.exposition(deps)]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:  # scrapes every few seconds: not worth a log line each
            pass

    try:
        server = make_server(host, int(port), app, handler_class=Quiet)
    except OSError as exc:  # in use, or not an address of this machine
        raise ValueError(f"GRIDCASE_SCHEDULER_METRICS_ADDRESS {address}: cannot listen there ({exc})") from None
    threading.Thread(target=server.serve_forever, name="scheduler-metrics", daemon=True).start()
    return server


def observe_scheduler(settings: Settings, bus: MessageBus, timers: TimerScheduler) -> Any:
    """The scheduler process's metrics and command log: its commands and firings counted, its command lines logged;
    its ``/metrics`` served when ``GRIDCASE_SCHEDULER_METRICS_ADDRESS`` is set (returns that server, else None)."""
    from web.logging_setup import log_command

    metrics = process_metrics()  # one process, no gunicorn: no multi-process files
    bus.observers += [metrics.observe_command, log_command]
    timers.observers.append(metrics.observe_timer)
    metrics.watch_pool(bus.deps.db)
    return serve_scheduler_metrics(settings, bus.deps, metrics) if settings.scheduler_metrics_address else None
