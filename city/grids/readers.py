"""Read grid boundary files (GeoJSON, ESRI Shapefile, GeoPackage) into GeoJSON-like features in longitude/latitude.

GeoJSON is read as JSON (its coordinates and properties exactly as written); Shapefiles and GeoPackages through
pyogrio (GDAL), their coordinate system reprojected to WGS 84 (EPSG:4326) with pyproj. Every refusal is a
``GridFileError`` naming the file, the feature where there is one, and the fix.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy
import pyogrio
import pyogrio.errors
import pyproj
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

Feature = dict[str, Any]
GEOJSON_SUFFIXES = (".geojson", ".json")
OGR_SUFFIXES = (".shp", ".gpkg")
CONVERT_HINT = "convert it to GeoJSON, a Shapefile or a GeoPackage first (ogr2ogr -f GeoJSON out.geojson in.csv)"


class GridFileError(ValueError):
    """A grid file that cannot be read as grids; the message names the file and the fix."""


def read_grid_file(path: Path, fields: dict[str, str] | None = None) -> list[Feature]:
    """The features of a GeoJSON, Shapefile (.shp beside its .dbf/.shx/.prj) or GeoPackage (.gpkg, first layer)
    file, in longitude/latitude. ``fields`` maps the properties gridcase reads (``code``, ``name``, ``district``)
    to the file's own names."""
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        features = _read_geojson(path)
    elif suffix in OGR_SUFFIXES:
        features = _read_ogr(path)
    else:
        raise GridFileError(f"{path}: not GeoJSON, a Shapefile (.shp) or a GeoPackage (.gpkg): {CONVERT_HINT}")
    return [_renamed(feature, fields or {}, path, number) for number, feature in enumerate(features, start=1)]


def _read_geojson(path: Path) -> list[Feature]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GridFileError(f"{path}: cannot be read ({exc})") from None
    except RecursionError:
        raise GridFileError(f"{path}: nested too deeply to read as GeoJSON") from None
    except ValueError as exc:
        raise GridFileError(f"{path}: not GeoJSON ({exc}); {CONVERT_HINT}") from None
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise GridFileError(f"{path}: not a GeoJSON FeatureCollection (a 'features' list of Feature objects)")
    crs = _legacy_crs(data, path)
    if crs is None:
        return features
    # a pre-RFC 7946 file that names its own coordinate system ("crs": {"properties": {"name": "EPSG:32650"}})
    shapes = [_geometry(f.get("geometry"), path, number) for number, f in enumerate(features, start=1)]
    moved = _to_lonlat(shapes, crs)
    return [{**f, "geometry": None if g is None else shapely.geometry.mapping(g)}
            for f, g in zip(features, moved, strict=True)]


def _legacy_crs(data: dict[str, Any], path: Path) -> pyproj.CRS | None:
    """The coordinate system a GeoJSON file names in its old ``crs`` member, unless it is longitude/latitude."""
    crs_member = data.get("crs")
    properties = crs_member.get("properties") if isinstance(crs_member, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if not name or not isinstance(name, str):
        return None
    try:
        crs = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError as exc:
        raise GridFileError(f"{path}: unknown coordinate system {name!r} ({exc}); reproject it to EPSG:4326") from None
    return None if crs.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True) or crs.name == "WGS 84" else crs


def _geometry(raw: Any, path: Path, number: int) -> BaseGeometry | None:
    try:
        return None if raw is None else shapely.geometry.shape(raw)
    except (TypeError, ValueError, KeyError, shapely.errors.GEOSException) as exc:
        raise GridFileError(f"{path}: feature {number}: unreadable geometry ({exc})") from None


def _read_ogr(path: Path) -> list[Feature]:
    """The features of a Shapefile or GeoPackage through pyogrio (no geopandas: WKB and attribute arrays)."""
    try:
        meta, _fids, wkbs, columns = pyogrio.raw.read(path, force_2d=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            OSError) as exc:
        raise GridFileError(f"{path}: cannot be read as a Shapefile or GeoPackage ({exc}); a Shapefile needs its "
                            ".shp, .dbf and .shx side by side (and its .prj for the coordinate system)") from None
    names = [str(name) for name in meta["fields"]]
    shapes: list[BaseGeometry | None] = []
    for number, wkb in enumerate(wkbs, start=1):
        try:
            shapes.append(None if wkb is None else shapely.from_wkb(wkb))
        except shapely.errors.GEOSException as exc:
            raise GridFileError(f"{path}: feature {number}: unreadable geometry ({exc})") from None
    crs = pyproj.CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    if crs is None:
        _refuse_unless_lonlat(shapes, path)
    elif not crs.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        shapes = _to_lonlat(shapes, crs)
    return [{"type": "Feature", "properties": {name: _plain(column[row]) for name, column in zip(names, columns,
                                                                                                strict=True)},
             "geometry": None if shape is None else shapely.geometry.mapping(shape)}
            for row, shape in enumerate(shapes)]


def _plain(value: Any) -> Any:
    """A numpy scalar as its Python value; a missing number (NaN) as None."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


def _to_lonlat(shapes: Sequence[BaseGeometry | None], crs: pyproj.CRS) -> list[BaseGeometry | None]:
    """The shapes reprojected from ``crs`` to WGS 84 longitude/latitude."""
    transformer = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)

    def move(coords: Any) -> Any:
        xs, ys = transformer.transform(coords[:, 0], coords[:, 1])
        return numpy.column_stack([xs, ys])

    return [None if shape is None else shapely.transform(shape, move) for shape in shapes]


def _refuse_unless_lonlat(shapes: Sequence[BaseGeometry | None], path: Path) -> None:
    """A file without a coordinate system is read as longitude/latitude only if its coordinates can be."""
    present = [shape for shape in shapes if shape is not None and not shape.is_empty]
    if not present:
        return
    west, south, east, north = shapely.total_bounds(present)
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise GridFileError(f"{path}: no coordinate system and the coordinates are not longitude/latitude "
                            f"(x {west:.0f}…{east:.0f}, y {south:.0f}…{north:.0f}): give the file its .prj / CRS, "
                            "or reproject it to EPSG:4326")


def _renamed(feature: Feature, fields: dict[str, str], path: Path, number: int) -> Feature:
    """The feature with the file's own property names read as gridcase's (``--code-field NAME`` …)."""
    props = feature.get("properties")
    props = dict(props) if isinstance(props, dict) else {}
    for ours, theirs in fields.items():
        if theirs not in props:
            if ours == "name":
                continue  # a grid without a name is named by its code
            raise GridFileError(f"{path}: feature {number} has no {theirs!r} property (--{ours}-field)")
        props[ours] = None if props[theirs] is None else str(props[theirs])
    return {**feature, "properties": props}


def dissolve(units: Sequence[Feature], field: str, path: Path, option: str) -> list[Feature]:
    """Parent grids made by dissolving the unit grids on their property ``field`` (one grid per value, the union
    of its units); each parent keeps its units' ``district`` when they all agree on it."""
    groups: dict[str, list[Feature]] = {}
    for number, unit in enumerate(units, start=1):
        value = (unit.get("properties") or {}).get(field)
        if value is None or str(value) == "":
            raise GridFileError(f"{path}: feature {number} has no {field!r} property ({option}); give every unit "
                                "grid the code of its parent")
        groups.setdefault(str(value), []).append(unit)
    parents = []
    for code, members in sorted(groups.items()):
        districts = {str(d) for d in ((m.get("properties") or {}).get("district") for m in members) if d}
        if len(districts) > 1:
            raise GridFileError(f"{path}: the unit grids of {field} {code} lie in different districts "
                                f"({', '.join(sorted(districts))}); give them one district")
        shapes = [shapely.geometry.shape(m["geometry"]) for m in members if m.get("geometry")]
        props: dict[str, Any] = {"code": code, "name": code}
        if districts:
            props["district"] = districts.pop()
        parents.append({"type": "Feature", "properties": props,
                        "geometry": shapely.geometry.mapping(shapely.union_all(shapes))})
    return parents
