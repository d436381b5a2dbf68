"""gunicorn's configuration for ``gridcase serve --prod`` (``-c python:web.gunicorn_conf``): the metrics folder.

Every worker process keeps its counters in prometheus-client's multi-process files, and ``/metrics`` (answered by
any one worker) adds them all up. The folder is ``GRIDCASE_METRICS_DIR``, or a fresh temporary one when unset; the
master empties it at start (counters begin at zero with the server, as Prometheus expects of a restart) and a dead
worker's live gauges (pool connections) are dropped when it exits. Its counters stay: requests it answered happened.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

_MADE: list[Path] = []  # a temporary folder made here, removed when the server stops


def on_starting(server: Any) -> None:
    """Before the workers fork: make (or empty) the metrics folder, and hand it to them in the environment."""
    given = os.environ.get("GRIDCASE_METRICS_DIR")
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # a previous run's files: counters must restart from zero
            stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="gridcase-metrics-"))
        _MADE.append(folder)
        os.environ["GRIDCASE_METRICS_DIR"] = str(folder)


def post_worker_init(worker: Any) -> None:
    """In each worker: live event streams (web/live) take a thread each while open, so they may hold at most all
    threads but two (plain requests keep those; beyond, a stream is answered 503 and the page polls slowly); and
    SIGTERM ends the streams first, so a graceful stop does not wait for clients that never hang up."""
    import signal

    from web.live.hub import close_all, limit_streams

    limit_streams(max(0, int(worker.cfg.threads) - 2))  # --threads 2 or fewer: no live streams, lists poll
    stop = worker.handle_exit

    def _exit(signum: int, frame: Any) -> None:
        close_all()
        stop(signum, frame)

    signal.signal(signal.SIGTERM, _exit)


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, os.environ["GRIDCASE_METRICS_DIR"])


def on_exit(server: Any) -> None:
    """The server stops: remove the temporary folder this configuration made."""
    for folder in _MADE:
        shutil.rmtree(folder, ignore_errors=True)
