"""``gridcase city load DIR`` and ``gridcase city export DIR`` on SQLite and PostgreSQL: the change report as text
and JSON, a refusal naming the file with nothing loaded, and an exported city that loads back unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = ROOT / "tests" / "fixtures" / "cities" / "lakeside"
Sql = Callable[..., list[sa.Row]]


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_city_load_prints_what_changed_and_export_loads_back_unchanged(db_url_engine: tuple[str, sa.Engine],
                                                                       sql: Sql, tmp_path: Path) -> None:
    url, _ = db_url_engine
    loaded = _cli(url, "city", "load", str(LAKESIDE))
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded as profile version 1" in loaded.stdout
    assert "unit_grids: +16 ~0 -0 (0 unchanged) — added: LS00, LS01" in loaded.stdout
    assert "profile time_zone: None → 'America/Chicago'" in loaded.stdout
    exported = _cli(url, "city", "export", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["streets"] == 2
    assert json.loads((tmp_path / "out" / "city.json").read_text("utf-8"))["time_zone"] == "America/Chicago"
    again = _cli(url, "city", "load", "--json", str(tmp_path / "out"))
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["version"] == 2 and report["deployed"] == []
    assert {kind: (c["added"], c["changed"], c["removed"]) for kind, c in report["changes"].items()
            if kind != "profile"} == {kind: (0, 0, 0) for kind in (
                "districts", "resp_grids", "unit_grids", "streets", "aspects", "subtypes", "departments", "channels",
                "users", "campaign_topics")}


def test_a_refused_package_names_the_file_and_loads_nothing(db_url_engine: tuple[str, sa.Engine], sql: Sql,
                                                            tmp_path: Path) -> None:
    url, _ = db_url_engine
    broken = tmp_path / "broken"
    shutil.copytree(LAKESIDE, broken)
    city = json.loads((broken / "city.json").read_text("utf-8"))
    (broken / "city.json").write_text(json.dumps({**city, "time_zone": "Lake/Michigan"}), "utf-8")
    refused = _cli(url, "city", "load", str(broken))
    assert refused.returncode != 0
    assert "city.json: time_zone: 'Lake/Michigan' is not an IANA time zone" in refused.stderr
    assert sql("SELECT code FROM districts") == [] and sql("SELECT name FROM city_profiles") == []
    mixed = _cli(url, "city", "load", str(LAKESIDE), "--unit-grids", str(broken / "unit_grids.shp"))
    assert mixed.returncode == 2 and "give PACKAGE alone" in mixed.stderr


def test_password_stdin_gives_new_people_their_initial_password(db_url_engine: tuple[str, sa.Engine],
                                                                 tmp_path: Path) -> None:
    url, engine = db_url_engine
    folder = tmp_path / "lakeside"
    shutil.copytree(LAKESIDE, folder)
    users = json.loads((folder / "users.json").read_text("utf-8"))
    del users["demo_password"]  # a real city's users.json: no passwords in the package
    (folder / "users.json").write_text(json.dumps(users, ensure_ascii=False), "utf-8")
    refused = _cli(url, "city", "load", str(folder))
    assert refused.returncode == 1 and "is new and has no password" in refused.stderr
    short = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "city", "load", "--password-stdin",
                            str(folder)], input="short\n", capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert short.returncode == 1 and "--password-stdin: a password needs 8–1024 characters" in short.stderr
    loaded = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "city", "load", "--password-stdin",
                             str(folder)], input="first-day-pass\n", capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    from city.bootstrap import bootstrap
    from engine.service.accounts import authenticate

    deps = bootstrap(engine).deps
    assert authenticate(deps, "seat1", "first-day-pass") is not None
    assert authenticate(deps, "seat1", "lakeside-test") is None
