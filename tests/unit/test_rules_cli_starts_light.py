"""`gridcase rules eval` starts without the web or database stack: run in a child process as the console script
runs it, it evaluates a line and has imported neither Flask, SQLAlchemy nor SpiffWorkflow (nor gridcase's web
settings or services) — while a command that does need them imports them, so the check can fail."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("flask", "sqlalchemy", "SpiffWorkflow", "alembic", "web.settings", "engine.service", "engine.persistence",
         "engine.bpmn")

CHILD = textwrap.dedent("""
    import json, sys
    sys.argv = ["gridcase", *sys.argv[1:]]
    from cli.main import main
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    heavy = sorted(name for name in HEAVY if name in sys.modules)
    print("CHILD " + json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
""")


def _run(*args: str, stdin: str = "") -> tuple[str, dict[str, Any]]:
    code = f"HEAVY = {HEAVY!r}\n" + CHILD
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120, check=False)
    report = [line for line in done.stderr.splitlines() if line.startswith("CHILD ")]
    assert report, done.stderr
    return done.stdout, json.loads(report[-1].removeprefix("CHILD "))


def test_rules_eval_imports_no_web_or_database_module() -> None:
    line = json.dumps({"report": {"subtype": "0601", "district": "350602", "urgency": "normal"}})
    stdout, child = _run("rules", "eval", "rules/responsibility.dmn", "--decision", "responsibility",
                         stdin=line + "\n")
    assert child["code"] == 0 and json.loads(stdout)["competent_department"] == "C03", stdout
    assert child["heavy"] == []


def test_a_database_command_still_gets_its_stack() -> None:
    _stdout, child = _run("db", "--help")
    assert child["code"] == 0
    assert "sqlalchemy" in child["heavy"]  # the probe sees heavy imports when they happen


def test_every_lazy_command_loads_under_its_name() -> None:
    import click

    from cli.main import COMMANDS, cli

    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name, name
    assert cli.list_commands(context) == sorted(COMMANDS)


def test_a_group_gets_the_commands_other_modules_add_to_it() -> None:
    stdout, child = _run("demo", "--help")  # `demo history` lives in cli/history.py, not cli/demo.py
    assert child["code"] == 0
    assert all(name in stdout for name in ("seed", "simulate", "history")), stdout
