"""What the demo city's registry generators share (渣土运输 ``demo.transport_registry`` and 考评
``demo.assessment_registry``): the files' text (CSV, one GeoJSON feature a line) and a rectangle of some metres
drawn inside a unit grid."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

METRES_PER_DEG_LAT = 110_574.0


def metres_per_deg_lon(lat: float) -> float:
    """How many metres a degree of longitude spans at ``lat`` (equirectangular: plenty for the demo)."""
    return 111_320.0 * math.cos(math.radians(lat))


def rectangle_in_grid(grid: BaseGeometry, half_x_m: float, half_y_m: float) -> BaseGeometry:
    """A rectangle reaching ``half_x_m``/``half_y_m`` either side of the grid's inner point, clipped to the grid
    (so inside it) and rounded to 1e-6°; the grid itself when the clipped shape is not one valid polygon."""
    point = grid.representative_point()
    half_x, half_y = half_x_m / metres_per_deg_lon(point.y), half_y_m / METRES_PER_DEG_LAT
    clipped = grid.intersection(box(point.x - half_x, point.y - half_y, point.x + half_x, point.y + half_y))
    rounded = shapely.set_precision(clipped, 1e-6)
    return rounded if rounded.geom_type == "Polygon" and rounded.is_valid else shapely.set_precision(grid, 1e-6)


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV, the first row's keys the header, LF line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def geojson_text(features: list[dict[str, Any]]) -> str:
    """A FeatureCollection with one feature a line (short diffs when a feature changes)."""
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    return '{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n"
