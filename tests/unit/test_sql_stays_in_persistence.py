"""SQL lives in the persistence layer only: repositories write, read-model modules read (a pure AST scan).

Outside the persistence layers (``engine/persistence``, the generic engine's; ``city/persistence``, the city
domain's own tables) no module may hold an SQL string literal or run a statement itself
(``.execute(``, ``.executemany(``, ``._execute(``, ``exec_driver_sql(``). Tests and Alembic migrations
are not scanned. Every other package calls a repository through a command or a named read function.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERSISTENCE = (Path("engine/persistence"), Path("city/persistence"))
# Every top-level package of the project (a new one is scanned without editing this test).
PACKAGES = tuple(sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"))
SQL = re.compile(r"^\s*(select|insert\s+into|update\s+\w+\s+set|delete\s+from|with\s+\w+\s+as"
                 r"|(create|drop)\s+(table|index|schema)|alter\s+table|pragma)\b", re.IGNORECASE)
RUNNERS = {"execute", "executemany", "_execute", "_executemany", "exec_driver_sql", "executescript"}


def _sources() -> list[Path]:
    files = [*ROOT.glob("*.py")]
    for package in PACKAGES:
        files += (ROOT / package).rglob("*.py")
    return sorted(p for p in files if not set(PERSISTENCE) & set(p.relative_to(ROOT).parents))


def sql_seams(source: str) -> list[str]:
    """``line: what`` for every SQL literal and every statement-running call in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
            found.append(f"{node.lineno}: SQL literal")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in RUNNERS):
            found.append(f"{node.lineno}: .{node.func.attr}(")
    return sorted(found, key=lambda seam: int(seam.split(":")[0]))


def test_the_scan_sees_sql_however_it_is_written() -> None:
    source = ('q = "SELECT 1"\nstore.execute(q)\nx = f"""\n  delete from t"""\nconn.exec_driver_sql("DROP SCHEMA s")\n'
              'store._execute("PRAGMA query_only = ON")')
    assert [s.split(":")[0] for s in sql_seams(source)] == ["1", "2", "3", "5", "5", "6", "6"]
    assert sql_seams('label = "Selected department"\nselected = "update"\nrun(job)') == []


def test_no_sql_outside_the_persistence_layer() -> None:
    sources = _sources()
    scanned = {p.relative_to(ROOT) for p in sources}
    assert Path("web/app.py") in scanned and Path("city/kpi/report.py") in scanned  # the scan sees the project
    assert Path("city/persistence/read/kpi.py") not in scanned
    found = [f"{path.relative_to(ROOT)}:{seam}" for path in sources
             for seam in sql_seams(path.read_text(encoding="utf-8"))]
    assert not found, ("SQL belongs in a persistence layer (a repository for writes, a persistence/read module for"
                       f" reads): {found}")
