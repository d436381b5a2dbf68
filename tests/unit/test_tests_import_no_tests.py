"""No module under tests/ imports a test module (test_*.py): shared helpers live in conftest.py or in support
modules (api_support.py, replay_support.py, scheduler_support.py, ...), so each test module can be run, moved or
deleted alone, and pytest collects every test once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything a module imports, ``from a import b`` giving both ``a`` and ``a.b``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            yield node.lineno, base
            yield from ((node.lineno, f"{base}.{alias.name}") for alias in node.names)


def imports_of_test_modules(path: Path, test_modules: set[str]) -> list[tuple[int, str]]:
    """(line, name) of each import in ``path`` that names one of ``test_modules`` (at any level of its name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[int, str] = {}
    for line, name in _imported(tree):
        if test_modules & set(name.split(".")):
            found.setdefault(line, name)  # ``from test_a import b``: named once, as test_a
    return sorted(found.items())


def test_no_module_under_tests_imports_a_test_module() -> None:
    files = sorted(TESTS.rglob("*.py"))
    test_modules = {p.stem for p in files if p.stem.startswith("test_")}
    assert len(test_modules) > 50  # the walk found the suite
    offending = [f"{path.relative_to(TESTS)}:{line}: imports {name}"
                 for path in files for line, name in imports_of_test_modules(path, test_modules)]
    assert not offending, "move shared helpers to conftest.py or a *_support.py module:\n" + "\n".join(offending)


def test_the_check_sees_each_form_of_import(tmp_path: Path) -> None:
    source = tmp_path / "test_x.py"
    source.write_text("import test_a\nimport os, test_b as b\nfrom test_c import f\nfrom . import test_d\n"
                      "from .test_e import g\nfrom tests.integration.test_f import h\nfrom api_support import Api\n"
                      "def inner():\n    from test_g import k\n", encoding="utf-8")
    found = imports_of_test_modules(source, {f"test_{c}" for c in "abcdefg"})
    assert sorted({line for line, _ in found}) == [1, 2, 3, 4, 5, 6, 9]


def shadowed_modules(files: list[Path], root: Path = TESTS) -> dict[str, list[str]]:
    """Module names held by more than one file under tests/ (conftest.py and __init__.py aside): pytest puts each
    test folder on sys.path, so whichever is imported first would stand for both in a whole-suite run."""
    by_name: dict[str, list[str]] = {}
    for path in files:
        if path.stem not in ("conftest", "__init__"):
            by_name.setdefault(path.stem, []).append(path.relative_to(root).as_posix())
    return {name: paths for name, paths in by_name.items() if len(paths) > 1}


def test_no_two_modules_under_tests_share_a_name() -> None:
    files = [p for p in TESTS.rglob("*.py") if "fixtures" not in p.relative_to(TESTS).parts]
    assert not shadowed_modules(files), "rename one of each pair:\n" + "\n".join(
        f"{name}: {', '.join(paths)}" for name, paths in shadowed_modules(files).items())


def test_the_shadow_check_sees_a_pair(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same_support.py").write_text("", encoding="utf-8")
    files = [tmp_path / "a" / "same_support.py", tmp_path / "b" / "same_support.py"]
    assert shadowed_modules(files, tmp_path) == {"same_support": ["a/same_support.py", "b/same_support.py"]}
