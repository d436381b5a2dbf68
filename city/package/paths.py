"""Where a city package's files may be: inside its folder only, each under a size cap, read as UTF-8 text.

Every file a package names (grids, duty windows, rules, components, calendar, the JSON files) goes through
``package_path``: a relative name whose real path (symlinks resolved) lies inside the folder, so a package cannot make
the load read ``/etc/…`` or another package's files. ``GRIDCASE_PACKAGE_MAX_MB`` (default 200) caps each file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from city.package.format import PackageError

MAX_MB_VARIABLE = "GRIDCASE_PACKAGE_MAX_MB"
DEFAULT_MAX_MB = 200


def max_bytes() -> int:
    """The size cap of one package file, from ``GRIDCASE_PACKAGE_MAX_MB`` (megabytes)."""
    raw = os.environ.get(MAX_MB_VARIABLE, str(DEFAULT_MAX_MB))
    try:
        megabytes = float(raw)
    except ValueError:
        raise PackageError(f"{MAX_MB_VARIABLE}={raw!r}: give a number of megabytes (default "
                           f"{DEFAULT_MAX_MB})") from None
    return int(megabytes * 1024 * 1024)


def package_path(folder: Path, name: Any) -> Path:
    """The file ``name`` of the package in ``folder``: a relative name inside the folder (symlinks resolved) and
    not larger than the cap when it exists; PackageError naming it and the fix otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise PackageError(f"{name!r}: a package file must be named by a non-empty relative path")
    if Path(name).is_absolute():
        raise PackageError(f"{name}: an absolute path; name the file relative to the package folder and put it "
                           "inside the folder")
    root = Path(folder).resolve()
    path = (root / name).resolve()
    if path != root and root not in path.parents:
        raise PackageError(f"{name}: lies outside the package folder {folder} (after following links); copy the "
                           "file into the folder and name it relative to it")
    if path.is_file() and path.stat().st_size > max_bytes():
        raise PackageError(f"{name}: larger than {max_bytes() / (1024 * 1024):g} MB ({MAX_MB_VARIABLE}); split or "
                           "simplify it, or raise the cap")
    return path


def read_text(path: Path, label: str) -> str:
    """The UTF-8 text of a package file; PackageError naming ``label`` when it is not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None


def parse_json(text: str, label: str) -> Any:
    """JSON text parsed; PackageError naming ``label`` and the line, or the nesting, when it cannot be read."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{label}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise PackageError(f"{label}: nested too deeply to read; a package file is a few levels deep") from None
