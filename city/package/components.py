"""A city package's component registry (部件普查): city.json's ``components`` entry names the file (points in any
coordinate system, or CSV) and its own field names; the rows are read here and written by the package load in its
unit of work through the registry's own check (``city.routing.handlers.write_components``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from city.package.format import COMPONENT_KEYS, PROFILE_FILE, PackageError
from city.package.paths import package_path
from city.persistence.repositories.components import ComponentStore
from city.routing.points import ComponentFileError, Fields, read_components
from engine.persistence.uow import UnitOfWork


def read_package_components(raw: dict[str, Any], folder: Path) -> tuple[tuple[dict[str, Any], ...] | None, str]:
    """(the registry's rows, the file's name), or (None, "") when city.json names no components."""
    entry = raw.get("components")
    if entry is None:
        return None, ""
    if isinstance(entry, str):
        entry = {"file": entry}
    if not isinstance(entry, dict) or "file" not in entry or not set(entry) <= COMPONENT_KEYS \
            or not all(isinstance(v, str) for v in entry.values()):
        raise PackageError(f"{PROFILE_FILE}: 'components' must be a file name or an object with text values for "
                           f"{', '.join(sorted(COMPONENT_KEYS))} ('file' required)")
    path = package_path(folder, entry["file"])
    if not path.is_file():
        raise PackageError(f"{PROFILE_FILE}: components: file {entry['file']!r} is not in the package")
    names = {key: entry[f"{key}_field"] for key in ("id", "owner", "state", "lon", "lat") if f"{key}_field" in entry}
    if "class_field" in entry:
        names["klass"] = entry["class_field"]
    try:
        rows = read_components(path, Fields(**names), entry.get("crs"))
    except ComponentFileError as exc:
        raise PackageError(f"components: {exc}") from None
    return tuple(rows), entry["file"]


def clear_registry(uow: UnitOfWork, source: str, actor: str, now: datetime) -> dict[str, Any]:
    """Empty the component registry in the package load's unit of work (a package without components: the old city's
    components would route reports to owners the new city may not have), kept as a load that removed them all."""
    repo = uow.repository(ComponentStore)
    removed = repo.count()
    repo.clear()
    load = repo.record_load(now, actor, source, "replace", (0, 0, removed))
    return {"load": load, "added": 0, "updated": 0, "removed": removed, "total": 0, "outside_grids": 0,
            "by_class": {}}
