"""``gridcase connectors`` through the command line (both databases): the example configuration loaded, listed and
shown; a broken file refused naming each problem by path (exit 2, nothing loaded); the push log and a retry of a
push that does not exist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "connectors" / "hotline.example.json"


def gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "connectors", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "GRIDCASE_LOG_LEVEL": "ERROR"})


def test_load_list_show_and_refusals(city: str, tmp_path: Path) -> None:
    done = gridcase(city, "load", str(EXAMPLE), "--as", "admin")
    assert done.returncode == 0, done.stderr
    assert "inserted: hotline12345" in done.stdout
    assert "unchanged: hotline12345" in gridcase(city, "load", str(EXAMPLE), "--as", "admin").stdout
    broken = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    broken["connectors"][0]["outbound"]["url"] = "file:///etc/passwd"
    broken["connectors"].append({"code": "x", "kind": "fax"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    refused = gridcase(city, "load", str(path), "--as", "admin")
    assert refused.returncode == 2
    assert "connectors[0].outbound.url" in refused.stderr and "connectors[1].kind" in refused.stderr
    assert gridcase(city, "load", str(EXAMPLE), "--as", "shiftlead01").returncode == 2  # admins only
    listed = gridcase(city, "list")
    assert listed.returncode == 0 and "hotline12345\thotline\tv1\tactive" in listed.stdout
    shown = json.loads(gridcase(city, "show", "hotline12345").stdout)
    assert shown["config"]["secret_env"] == "GRIDCASE_HOTLINE_12345_SECRET"
    assert gridcase(city, "show", "nope").returncode == 2
    assert gridcase(city, "deliveries", "hotline12345", "--status", "failed").returncode == 0
    assert "status must be one of" in gridcase(city, "deliveries", "hotline12345", "--status", "lost").stderr
    retry = gridcase(city, "retry", "999999", "--as", "admin")
    assert retry.returncode == 2 and "no push 999999" in retry.stderr


def test_load_refuses_a_channel_that_skips_verification(city: str, tmp_path: Path) -> None:
    """A hotline's channel must be one of the city's, never the system's own nor one the lifecycle takes past 核实:
    the transferred orders start with ``system=True``, which skips the intake's channel table."""
    for channel in ("assessment", "patrol", "nosuchchannel"):
        config = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        config["connectors"][0]["channel"] = channel
        path = tmp_path / f"{channel}.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        refused = gridcase(city, "load", str(path), "--as", "admin")
        assert refused.returncode == 2, channel
        assert "connectors[0].channel" in refused.stderr and "hotline" in refused.stderr
