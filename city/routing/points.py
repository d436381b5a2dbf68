"""Read a component census (部件普查) file into rows for ``LoadComponents``: GeoJSON points (any coordinate
system the file names, through ``city.grids.readers``), Shapefile/GeoPackage points, or CSV with longitude and
latitude columns (or projected x/y with ``crs``). Every refusal names the file and the line or feature."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyproj

from city.grids.readers import GridFileError, read_grid_file


class ComponentFileError(ValueError):
    """A census file that cannot be read; the message names the file, the line or feature and the fix."""


@dataclass(frozen=True)
class Fields:
    """The file's own names of what gridcase reads (``--id-field`` …)."""

    id: str = "id"
    klass: str = "class"
    owner: str = "owner"
    state: str = "state"
    lon: str = "lon"
    lat: str = "lat"


def read_components(path: Path, fields: Fields | None = None, crs: str | None = None) -> list[dict[str, Any]]:
    """The file's components as ``LoadComponents`` rows (``where``, id, class, lon, lat, owner, state)."""
    fields = fields or Fields()
    if path.suffix.lower() == ".csv":
        return list(_csv_rows(path, fields, crs))
    try:
        features = read_grid_file(path)
    except GridFileError as exc:
        message = str(exc).replace("not GeoJSON, a Shapefile", "not CSV, GeoJSON, a Shapefile")
        raise ComponentFileError(message) from None
    return [_feature_row(path, number, feature, fields) for number, feature in enumerate(features, start=1)]


def _feature_row(path: Path, number: int, feature: dict[str, Any], fields: Fields) -> dict[str, Any]:
    where = f"{path.name} feature {number}"
    geometry = feature.get("geometry") or {}
    coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
    if not isinstance(coords, list | tuple) or len(coords) < 2:
        raise ComponentFileError(f"{where}: a component is a Point (found {geometry.get('type') or 'no geometry'})")
    props = feature.get("properties") or {}
    return _row(where, lambda name: props.get(name), fields, coords[0], coords[1], "property")


def _csv_rows(path: Path, fields: Fields, crs: str | None) -> Iterable[dict[str, Any]]:
    transformer = _transformer(path, crs)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            for flag, name in (("--id-field", fields.id), ("--class-field", fields.klass),
                               ("--owner-field", fields.owner), ("--lon-field", fields.lon),
                               ("--lat-field", fields.lat)):
                if name not in header:
                    raise ComponentFileError(f"{path.name} line 1: no column {name!r} ({flag}); the header has "
                                             f"{', '.join(header) or 'no columns'}")
            for record in _records(reader, path):
                where = f"{path.name} line {reader.line_num}"
                lon, lat = record.get(fields.lon), record.get(fields.lat)
                row = _row(where, record.get, fields, lon, lat, "column")
                if transformer is not None:
                    row["lon"], row["lat"] = transformer.transform(row["lon"], row["lat"])
                yield row
    except (OSError, UnicodeDecodeError) as exc:
        raise ComponentFileError(f"{path}: cannot be read as UTF-8 CSV ({exc})") from None


def _records(reader: csv.DictReader[str], path: Path) -> Iterator[dict[str, Any]]:
    """The reader's records; a line the csv module cannot read (a field over its size limit, a NUL) is refused
    naming the line, not raised as a bare csv.Error."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # the reader counts a line once it is read whole: the one it failed in is the next
            raise ComponentFileError(f"{path.name} line {reader.line_num + 1}: cannot be read as CSV ({exc})") from None
        yield record


def _transformer(path: Path, crs: str | None) -> pyproj.Transformer | None:
    if not crs:
        return None
    try:
        return pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(crs), 4326, always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise ComponentFileError(f"{path.name}: unknown coordinate system {crs!r} (--crs) ({exc})") from None


def _row(where: str, get: Any, fields: Fields, lon: Any, lat: Any, kind: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, name in (("id", fields.id), ("class", fields.klass), ("owner", fields.owner)):
        value = get(name)
        if value is None or not str(value).strip():
            raise ComponentFileError(f"{where}: no {key} ({kind} {name!r})")
        values[key] = str(value).strip()
    state = get(fields.state)
    values["state"] = str(state).strip() if state is not None and str(state).strip() else "in_use"
    for key, name, value in (("lon", fields.lon, lon), ("lat", fields.lat, lat)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise ComponentFileError(f"{where}: {key} is not a number ({kind} {name!r}: {value!r})")
        values[key] = number
    return {"where": where, **values}
