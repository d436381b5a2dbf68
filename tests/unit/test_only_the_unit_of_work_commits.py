"""Only the unit of work commits: no other module of the project calls ``.commit(`` (a pure AST scan).

Tests (which may set up rows their own way) and Alembic migrations are not scanned.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {Path("engine/persistence/uow.py")}
# Every top-level package of the project (a new one is scanned without editing this test).
PACKAGES = tuple(sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"))


def _sources() -> list[Path]:
    """The project's Python files: its packages and top-level modules (not tests or migrations)."""
    files = [*ROOT.glob("*.py")]
    for package in PACKAGES:
        files += (ROOT / package).rglob("*.py")
    return sorted(files)


def commit_calls(source: str) -> list[int]:
    """Line numbers of every ``<anything>.commit(...)`` call in ``source``."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_the_scan_sees_a_commit_however_it_is_written() -> None:
    assert commit_calls("uow.commit()\nx = 1\nself._raw.commit()\nget().commit(now=True)") == [1, 3, 4]
    assert commit_calls("commit = 1\nrecord.committed()\n# conn.commit()\ns = 'db.commit()'") == []


def test_nothing_but_the_unit_of_work_commits() -> None:
    sources = _sources()
    assert Path("engine/persistence/uow.py") in {p.relative_to(ROOT) for p in sources}  # the scan sees the project
    found = {f"{path.relative_to(ROOT)}:{line}" for path in sources if path.relative_to(ROOT) not in ALLOWED
             for line in commit_calls(path.read_text(encoding="utf-8"))}
    assert not found, f"only engine/persistence/uow.py commits; send a command instead: {sorted(found)}"


def test_only_the_bus_opens_a_command_scope() -> None:
    """A unit of work writes only inside ``command_scope``; only ``MessageBus.handle`` may enter it."""
    allowed = {Path("engine/persistence/uow.py"), Path("engine/service/bus.py")}
    found = sorted(str(path.relative_to(ROOT)) for path in _sources()
                   if path.relative_to(ROOT) not in allowed and "command_scope" in path.read_text(encoding="utf-8"))
    assert not found, f"send a command through the bus instead of entering command_scope: {found}"
