"""`gridcase run` (what `make run` starts): web server and scheduler come up, and Ctrl-C stops both."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
GRIDCASE = [sys.executable, "-m", "cli"]


def _health(port: int, deadline: float) -> dict[str, object]:
    # Waiting on a real server process to come up: poll with a deadline.
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _leftovers(database_url: str) -> str:
    found = subprocess.run(["pgrep", "-f", f"--database-url {database_url}"], capture_output=True, text=True)
    return found.stdout.strip()


def test_run_stops_both_processes_on_sigterm_to_the_parent_alone(database_url: str, free_port: int) -> None:
    env = {**os.environ, "GRIDCASE_PORT": str(free_port), "GRIDCASE_LOG_LEVEL": "WARNING"}
    base = [*GRIDCASE, "--database-url", database_url]
    subprocess.run([*base, "db", "upgrade"], check=True, env=env, capture_output=True)
    run = subprocess.Popen([*base, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           start_new_session=True)
    try:
        assert _health(free_port, time.monotonic() + 20)["status"] == "ok"
    finally:
        run.terminate()  # a service manager, or `kill` on a background `make run`
        _, stderr = run.communicate(timeout=20)
    assert run.returncode == 0, stderr.decode()
    assert _leftovers(database_url) == ""


def test_run_serves_health_and_stops_both_processes_on_ctrl_c(database_url: str, free_port: int) -> None:
    env = {**os.environ, "GRIDCASE_PORT": str(free_port), "GRIDCASE_LOG_LEVEL": "WARNING"}
    base = [*GRIDCASE, "--database-url", database_url]
    subprocess.run([*base, "db", "upgrade"], check=True, env=env, capture_output=True)
    # a model with a timer for the scheduler (the folder also holds report_handling.bpmn, whose form exists nowhere:
    # the command line refuses such a deploy, tests/integration/test_foreign_files_and_forms.py)
    deployed = subprocess.run([*base, "process", "deploy", str(FIXTURES / "scheduled_inspection.bpmn"), "--comment",
                               "e2e"], check=True, env=env, capture_output=True, text=True)
    assert "scheduled_inspection: version 1 (deployed" in deployed.stdout
    run = subprocess.Popen([*base, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           start_new_session=True)
    try:
        health = _health(free_port, time.monotonic() + 20)
        assert {k: v for k, v in health.items() if k != "warnings"} == {
            "status": "ok", "database": "sqlite"}  # counts are for signed-in admins only
        assert isinstance(health["warnings"], list)  # e.g. next year's holiday table still missing
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does to the process group
        try:
            _, stderr = run.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)  # never leave servers (and their pipes) behind
            _, stderr = run.communicate()
            message = f"gridcase run did not stop within 40 s of Ctrl-C:\n{stderr.decode()[-3000:]}"
            raise AssertionError(message) from None
    assert run.returncode == 0, stderr.decode()
    assert _leftovers(database_url) == ""


def test_deploy_of_an_invalid_file_exits_non_zero_and_names_it(database_url: str, tmp_path: Path) -> None:
    base = [*GRIDCASE, "--database-url", database_url]
    subprocess.run([*base, "db", "upgrade"], check=True, capture_output=True)
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>", "utf-8")
    result = subprocess.run([*base, "process", "deploy", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "broken.bpmn" in result.stderr
