"""``gridcase exchange export|inbox|batches``: the same commands as the API, refusals named with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api
from exchange_support import ROOT, add_connector, drop, exchange_api


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from exchange_api(city, tmp_path)


def _gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "exchange", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_export_inbox_and_batches_from_the_command_line(api: Api, city: str, tmp_path: Path) -> None:
    add_connector(api, "cli_a", tmp_path, settle_seconds=0)
    exported = _gridcase(city, "export", "cli_a", "--as", "admin", "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["connector"] == "cli_a"
    drop(tmp_path, "assign_cli.json", b"{}")
    read = _gridcase(city, "inbox", "cli_a", "--as", "admin")
    assert read.returncode == 0 and "assign_cli.json: refused" in read.stdout, read.stdout + read.stderr
    listed = _gridcase(city, "batches", "cli_a", "--direction", "import", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(b["file_name"], b["ack_status"]) for b in json.loads(listed.stdout)["batches"]] == [
        ("assign_cli.json", "refused")]
    shown = _gridcase(city, "batches", "cli_a")  # the folders as resolved, so an admin sees where files go
    assert f"outbox: {tmp_path / 'outbox'}" in shown.stdout and f"inbox: {tmp_path / 'inbox'}" in shown.stdout


def test_refusals_name_the_field_and_exit_2(api: Api, city: str, tmp_path: Path) -> None:
    add_connector(api, "cli_b", tmp_path)
    refused = _gridcase(city, "export", "cli_b", "--as", "shiftlead01")
    assert refused.returncode == 2 and "admins may" in refused.stderr, refused.stderr
    missing = _gridcase(city, "batches", "no_such")
    assert missing.returncode == 2 and "connector" in missing.stderr, missing.stderr
