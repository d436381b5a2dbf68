"""``/healthz``: does the database answer, within a second whatever holds it up; calendar warnings; and, for
signed-in admins only, how many cases and pending timers there are.

The database is asked in a probe thread that the request waits for at most ``HEALTH_WAIT``: a lock held
elsewhere may stall a query (PostgreSQL: the probe's lock wait is short too) or even a new SQLite connection's
set-up, which no lock wait of a transaction covers. One probe runs at a time; a request that comes while it is
still stuck waits for that one instead of starting another.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from engine.domain.errors import ConcurrencyConflict
from engine.persistence.read import health
from engine.persistence.repositories.cases import CaseStore
from engine.service.deps import Deps
from web.api.auth import caller
from web.api.errors import ApiError
from web.context import deps
from web.policy import READ_HEALTH_COUNTS, allows

log = logging.getLogger(__name__)
HEALTH_WAIT = 1.0  # seconds /healthz waits for the database before it answers 503
PROBE = "gridcase.health_probe"
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database did not answer the health probe; the message says why."""


class HealthProbe:
    """Asks the database (``read``: ``health.ping`` or ``health.counts``) in a thread the caller waits for at
    most ``wait`` seconds; one probe of each question at a time."""

    def __init__(self, wait: float = HEALTH_WAIT) -> None:
        self.wait = wait
        self._running: dict[Callable[[CaseStore], Any], Future[Any]] = {}
        self._lock = threading.Lock()

    def ask(self, engine: Deps, read: Callable[[CaseStore], T]) -> T:
        """What ``read`` returns, or ``DatabaseUnavailable`` naming the reason."""
        with self._lock:
            running = self._running.get(read)
            if running is None or running.done():
                running = self._running[read] = self._start(engine, read)
        try:
            answer: T = running.result(timeout=self.wait)
            return answer
        except TimeoutError:
            raise DatabaseUnavailable(f"the database did not answer within {self.wait:g} s") from None
        except ConcurrencyConflict:
            raise DatabaseUnavailable("the database is locked by other work") from None
        except Exception as exc:  # whatever the database says, the health check reports it: never a 500 here
            log.warning("health check: the database does not answer: %s", exc)
            raise DatabaseUnavailable(f"the database does not answer ({type(exc).__name__})") from None

    def _start(self, engine: Deps, read: Callable[[CaseStore], T]) -> Future[T]:
        future: Future[T] = Future()

        def probe() -> None:
            try:
                # half the wait for a lock: a held lock is then reported as such, before the request gives up
                with engine.uow(read_only=True, lock_wait=self.wait / 2) as uow:
                    answer = read(uow.store)
            except BaseException as exc:  # handed to the waiting request
                future.set_exception(exc)
            else:  # only once the connection is back in the pool: the answer may end the app
                future.set_result(answer)

        # A daemon: a probe stuck on the database must not hold up the server's exit.
        threading.Thread(target=probe, name="gridcase-health-probe", daemon=True).start()
        return future


def healthz() -> ResponseReturnValue:
    """200 ``{status: ok, database, warnings}`` (admins: also ``cases``, ``pending_timers``), or 503
    ``{status: unavailable, reason}`` within ``HEALTH_WAIT``."""
    engine = deps()
    probe: HealthProbe = current_app.extensions[PROBE]
    admin = _admin_asking()
    try:
        counted = probe.ask(engine, health.counts) if admin else probe.ask(engine, health.ping)
    except DatabaseUnavailable as exc:
        return jsonify(status="unavailable", database=engine.db.dialect.name, reason=str(exc)), 503
    working_time = engine.working_time
    # no duty calendar loaded (the default windows apply), and years without a holiday table
    warnings = working_time.warnings(datetime.now(working_time.zone).date()) if working_time else []
    body: dict[str, Any] = {"status": "ok", "database": engine.db.dialect.name, "warnings": warnings}
    if counted is not None:
        body.update(cases=counted[0], pending_timers=counted[1])
    return jsonify(body)


def _admin_asking() -> bool:
    """True when the caller (token or session) is an admin; anyone else, or no one, sees no counts."""
    if "Authorization" not in request.headers and not current_user.is_authenticated:
        return False
    try:
        return allows(caller(), READ_HEALTH_COUNTS)
    except ApiError:
        return False


def register_health(app: Flask) -> None:
    """Mount ``/healthz`` with its probe."""
    app.extensions[PROBE] = HealthProbe()
    app.add_url_rule("/healthz", "healthz", healthz)
