"""The assessment browser tests' server: ``gridcase serve`` and ``gridcase scheduler`` over a copy of the seeded demo
city (as ``conftest.city_server``), yielding its base URL and its database URL too — the tests write rounds and
scores straight into it (``tests/assessment_views_support.py``) or read what the pages did."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import unused_port, wait_for_health
from city_template import sqlite_city

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}


def assessment_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a running server and scheduler over a fresh copy of the demo city."""
    folder = tmp_path_factory.mktemp("assessment_server")
    url = sqlite_city(tmp_path_factory, folder)
    port = unused_port()
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port), "GRIDCASE_SECRET_KEY": "e2e",
           "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments"), "GRIDCASE_LOG_LEVEL": "WARNING"}
    with (folder / "server.log").open("wb") as log:
        processes = [subprocess.Popen([sys.executable, "-m", "cli", *command], env=env, cwd=ROOT, stdout=log,
                                      stderr=log) for command in (["serve"], ["scheduler"])]
        try:
            wait_for_health(port, time.monotonic() + 30)
            yield f"http://127.0.0.1:{port}", url
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
