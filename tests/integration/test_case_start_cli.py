"""``gridcase case start`` through the command line (SQLite and PostgreSQL): the same StartCase command as the API,
so the same refusals — exit 0 with the case number for a starter, exit 1 with a message naming the field for data
the start form refuses, an unknown process, an account that is not a starter or does not exist, and --data that is
not a JSON object; nothing is written by a refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import ROOT, Api
from start_support import APPLICATION, INSPECTOR, PROCESS, STARTER, deploy


def gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "case", "start", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def cases_of(url: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text("SELECT id, started_by FROM cases WHERE process_id = :p ORDER BY id"),
                                     {"p": PROCESS}))
    finally:
        engine.dispose()


def test_a_starter_starts_a_case_and_the_operator_may_too(api: Api) -> None:
    deploy(api)
    before = len(cases_of(api.url))
    done = gridcase(api.url, PROCESS, "--data", json.dumps(APPLICATION), "--as", STARTER)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("started case ") and PROCESS in done.stdout
    case_no = done.stdout.split()[2]
    assert api.get(f"/cases/{case_no}", "admin").json["process_id"] == PROCESS
    operator = gridcase(api.url, PROCESS, "--data", json.dumps(APPLICATION))
    assert operator.returncode == 0, operator.stderr
    assert [row.started_by for row in cases_of(api.url)[before:]] == [STARTER, "cli"]


@pytest.mark.parametrize(("args", "message"), [
    (["--data", json.dumps({"application": {"applicant": "a", "road": "b", "days": 0}}), "--as", STARTER],
     "application.days"),
    (["--data", "{}", "--as", STARTER], "application: required"),
    (["--data", json.dumps(APPLICATION), "--as", INSPECTOR], f"{INSPECTOR} may not start {PROCESS}"),
    (["--data", json.dumps(APPLICATION), "--as", "nobody_here"], "no user 'nobody_here'"),
    (["--data", "[1, 2]"], "--data must be a JSON object"),
    (["--data", "{not json"], "--data is not JSON"),
])
def test_refusals_exit_1_with_a_message_and_write_nothing(api: Api, args: list[str], message: str) -> None:
    deploy(api)
    before = cases_of(api.url)
    done = gridcase(api.url, PROCESS, *args)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert message in done.stderr and done.stdout == ""
    assert cases_of(api.url) == before


def test_an_unknown_process_exits_1(api: Api) -> None:
    done = gridcase(api.url, "no_such_process", "--data", "{}")
    assert done.returncode == 1 and "no deployed process 'no_such_process'" in done.stderr
