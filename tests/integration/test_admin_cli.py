"""``gridcase city department|subtype|routing`` and ``gridcase user disable|enable|set-role|reset-password`` over
the demo city: the same commands as the admin pages, a refusal naming its field with exit code 1."""

from __future__ import annotations

import json
import subprocess
import sys

from api_support import ROOT, Api

from cli.users import CLI_ACTOR


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)


def test_departments_subtypes_and_routing_from_the_command_line(api: Api) -> None:
    url = api.url
    refused = _cli(url, "city", "department", "add", "C80", "--name-zh", "测试", "--name-en", "Test", "--level",
                   "street")
    assert refused.returncode == 1 and "district:" in refused.stderr
    added = _cli(url, "city", "department", "add", "C80", "--name-zh", "测试", "--name-en", "Test", "--level",
                 "street", "--district", "350603", "--comment", "from the CLI")
    assert added.returncode == 0, added.stderr
    listed = json.loads(_cli(url, "city", "department", "list", "--json").stdout)
    assert {"code": "C80", "level": "street", "district_code": "350603", "disabled": False,
            "name_zh": "测试", "name_en": "Test"} in listed
    edited = _cli(url, "city", "subtype", "edit", "0702", "--limit", "4", "--unit", "natural_days")
    assert edited.returncode == 0 and json.loads(edited.stdout)["limit_unit"] == "natural_days"
    moved = _cli(url, "city", "routing", "move", "0702", "C80")
    assert moved.returncode == 0 and json.loads(moved.stdout)["created"] is True
    assert _cli(url, "city", "routing", "show", "--subtype", "0702").stdout.splitlines()[1] == "0702\tC80"
    busy = _cli(url, "city", "department", "disable", "C80")
    assert busy.returncode == 1 and "routing rule" in busy.stderr
    off = _cli(url, "city", "subtype", "disable", "0702")
    rows = _cli(url, "city", "subtype", "list").stdout.splitlines()
    assert off.returncode == 0 and "\tTrue\t" in next(line for line in rows if line.startswith("0702"))
    assert api.report(subtype_code="0702").status_code == 422
    history = api.get("/admin/changes?key=C80", "admin").json["changes"]
    assert [(c["kind"], c["action"], c["actor"]) for c in history] == [("department", "add", CLI_ACTOR)]


def test_users_from_the_command_line(api: Api) -> None:
    url = api.url
    assert _cli(url, "user", "disable", "seat07").returncode == 0
    assert api.client.post("/api/v1/auth/token", json={"username": "seat07", "password": "gridcase-demo"}
                           ).status_code == 401
    assert _cli(url, "user", "enable", "seat07").returncode == 0
    bad = _cli(url, "user", "set-role", "seat07", "collector", "--district", "")
    assert bad.returncode == 1 and "district:" in bad.stderr
    assert _cli(url, "user", "set-role", "seat07", "collector", "--district", "350602").returncode == 0
    assert api.get("/admin/users?q=seat07", "admin").json["users"][0]["role"] == "collector"
    one_time = _cli(url, "user", "reset-password", "seat07").stdout.strip()
    token = api.client.post("/api/v1/auth/token", json={"username": "seat07", "password": one_time})
    assert len(one_time) == 12 and token.status_code in (200, 201)
    assert _cli(url, "user", "disable", "nobody").returncode == 1
