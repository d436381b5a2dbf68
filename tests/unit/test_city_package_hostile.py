"""Hostile or broken city packages are refused with a PackageError naming the file, never a traceback: files
outside the folder (``..``, absolute paths, symlinks), files over the size cap, text that is not UTF-8, JSON nested
too deeply, a DMN with a DOCTYPE, and initial passwords outside the accounts' limits."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from city.package.format import PackageError
from city.package.paths import MAX_MB_VARIABLE
from city.package.reader import read_package

LAKESIDE = Path(__file__).resolve().parents[1] / "fixtures" / "cities" / "lakeside"
DEEP = "[" * 100_000 + "]" * 100_000


def _profile(folder: Path, **changes: object) -> None:
    raw = json.loads((folder / "city.json").read_text("utf-8"))
    (folder / "city.json").write_text(json.dumps({**raw, **changes}), "utf-8")


def _grid_outside(folder: Path) -> None:
    shutil.copy(folder / "resp_grids.geojson", folder.parent / "outside.geojson")
    _profile(folder, resp_grids={"file": "../outside.geojson", "code_field": "BEAT", "name_field": "BEAT_NAME",
                                 "district_field": "WARD"})


def _symlinked_rule(folder: Path) -> None:
    (folder.parent / "elsewhere.dmn").write_text((folder / "rules" / "filing.dmn").read_text("utf-8"), "utf-8")
    (folder / "rules" / "filing.dmn").unlink()
    os.symlink(folder.parent / "elsewhere.dmn", folder / "rules" / "filing.dmn")


def _doctype(folder: Path) -> None:
    path = folder / "rules" / "filing.dmn"
    text = path.read_text("utf-8")
    path.write_text(text.replace("?>", '?>\n<!DOCTYPE d [<!ENTITY x "x">]>', 1), "utf-8")


def _user_password(password: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / "users.json").read_text("utf-8"))
        data["users"][0]["password"] = password
        (folder / "users.json").write_text(json.dumps(data), "utf-8")
    return edit


CASES: dict[str, tuple[Callable[[Path], object], str]] = {
    "grid outside": (_grid_outside, r"\.\./outside\.geojson: lies outside the package folder"),
    "absolute duty file": (lambda f: _profile(f, duty_windows="/etc/passwd"), r"/etc/passwd: an absolute path"),
    "rules outside": (lambda f: _profile(f, rules="../"), r"\.\./: lies outside the package folder"),
    "symlinked rule": (_symlinked_rule, r"rules/filing\.dmn: lies outside the package folder .*\(after following"),
    "deep channels": (lambda f: (f / "channels.json").write_text(DEEP), r"channels\.json: nested too deeply"),
    "deep categories": (lambda f: (f / "categories.json").write_text(DEEP), r"categories\.json: nested too deeply"),
    "deep grid": (lambda f: (f / "resp_grids.geojson").write_text(DEEP), r"resp_grids\.geojson: nested too deeply"),
    "duty not UTF-8": (lambda f: (f / "duty_calendar.json").write_bytes(b"\xff\xfe{"),
                       r"duty_calendar\.json: not UTF-8 text"),
    "rule not UTF-8": (lambda f: (f / "rules" / "filing.dmn").write_bytes(b"\xff\xfe<"),
                       r"rules/filing\.dmn: not UTF-8 text"),
    "calendar not UTF-8": (lambda f: (f / "calendar" / "us.json").write_bytes(b"\xff{"),
                           r"calendar/us\.json: not UTF-8 text"),
    "DMN with a DOCTYPE": (_doctype, r"rules/filing\.dmn: has a DOCTYPE"),
    "password a number": (_user_password(12345678), r"users\.json: user .*'password' must be text of 8–1024"),
    "password too short": (_user_password("short"), r"users\.json: user .*'password' must be text of 8–1024"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_package_is_refused_naming_the_file(name: str, tmp_path: Path) -> None:
    edit, message = CASES[name]
    folder = tmp_path / "lakeside"
    shutil.copytree(LAKESIDE, folder)
    edit(folder)
    with pytest.raises(PackageError, match=message):
        read_package(folder)


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "lakeside"
    shutil.copytree(LAKESIDE, folder)
    monkeypatch.setenv(MAX_MB_VARIABLE, "0.001")  # about 1 kB: the grid files are larger
    with pytest.raises(PackageError, match=rf"larger than .* MB \({MAX_MB_VARIABLE}\)"):
        read_package(folder)


def test_invalid_grid_geometry_names_the_packages_repair_and_repair_true_mends_it(tmp_path: Path) -> None:
    folder = tmp_path / "lakeside"
    shutil.copytree(LAKESIDE, folder)
    grids = json.loads((folder / "resp_grids.geojson").read_text("utf-8"))
    ring = grids["features"][0]["geometry"]["coordinates"][0]
    ring[:] = [*ring[:3], ring[1], ring[2], *ring[3:]]  # back along an edge and out again: a self-intersection
    (folder / "resp_grids.geojson").write_text(json.dumps(grids), "utf-8")
    with pytest.raises(PackageError, match=r"resp_grids B11: invalid geometry .*\"repair\": true in city\.json's "
                                           r"resp_grids entry"):
        read_package(folder)
    raw = json.loads((folder / "city.json").read_text("utf-8"))
    _profile(folder, resp_grids={**raw["resp_grids"], "repair": True})
    assert read_package(folder).grids.repaired == ["resp_grids B11: Self-intersection[-87.6507521885283 "
                                                   "41.8740770820211]"]
