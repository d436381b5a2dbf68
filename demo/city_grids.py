"""Generate the seeded demo geography of Zhangzhou's urban area: districts, 45 responsibility grids,
4226 unit grids, each nested in the one above, as GeoJSON (``python -m demo.city_grids``)."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

OUT = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"
CENTER = (117.66, 24.52)  # lon, lat
KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 111.0 * math.cos(math.radians(CENTER[1]))
DISTRICTS = [("350602", "芗城区", 0.45), ("350603", "龙文区", 0.33), ("350690", "高新区", 0.22)]


def area_km2(geometry: BaseGeometry) -> float:
    """Area of a lon/lat geometry in km² (equirectangular, fine at city scale)."""
    return geometry.area * KM_PER_DEG_LAT * KM_PER_DEG_LON


def boundary(rng: random.Random, target_km2: float = 85.0) -> Polygon:
    """An irregular, smooth city outline of about ``target_km2``."""
    harmonics = [(k, rng.uniform(0, 0.12 / k), rng.uniform(0, 2 * math.pi)) for k in range(2, 6)]
    points = []
    for i in range(96):
        t = 2 * math.pi * i / 96
        r = 1 + sum(a * math.sin(k * t + phase) for k, a, phase in harmonics)
        points.append((math.cos(t) * r * 1.35, math.sin(t) * r))
    shape = Polygon(points)
    scale = math.sqrt(target_km2 / (shape.area * 1.0))
    return Polygon([(CENTER[0] + x * scale / KM_PER_DEG_LON, CENTER[1] + y * scale / KM_PER_DEG_LAT)
                    for x, y in points])


def seeds_in(container: BaseGeometry, count: int, rng: random.Random) -> list[Point]:
    minx, miny, maxx, maxy = container.bounds
    shapely.prepare(container)
    found: list[Point] = []
    while len(found) < count:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if container.contains(p):
            found.append(p)
    return found


def split(container: BaseGeometry, count: int, rng: random.Random) -> list[BaseGeometry]:
    """``count`` irregular cells (clipped Voronoi) exactly tiling ``container``, ordered west to east."""
    if count == 1:
        return [container]
    seeds = seeds_in(container, count, rng)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=container.envelope.buffer(0.01))
    by_seed = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.contains(seed))
        by_seed.append(shapely.make_valid(cell.intersection(container)))
    return sorted(by_seed, key=lambda g: (round(g.centroid.x, 4), g.centroid.y))


def apportion(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of ``total`` by ``weights`` (each part at least 1)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [max(1, int(r)) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(parts) < total:
        parts[order[i % len(order)]] += 1
        i += 1
    return parts


def generate(seed: int = 2026, resp_grids: int = 45, unit_grids: int = 4226) -> dict[str, list[dict[str, Any]]]:
    """Feature lists for districts, responsibility grids and unit grids."""
    rng = random.Random(seed)
    city = boundary(rng)
    district_shapes = split(city, len(DISTRICTS), rng)
    out: dict[str, list[dict[str, Any]]] = {"districts": [], "resp_grids": [], "unit_grids": []}
    resp_counts = apportion(resp_grids, [area_km2(d) for d in district_shapes])
    for (code, name, _), shape, n_resp in zip(DISTRICTS, district_shapes, resp_counts, strict=True):
        out["districts"].append(_feature(shape, code=code, name=name))
        resp_shapes = split(shape, n_resp, rng)
        out["resp_grids"].extend(_feature(r, code=f"{code}{i + 1:03d}", name=f"{name}第{i + 1}责任网格",
                                          district=code) for i, r in enumerate(resp_shapes))
    all_resp = out["resp_grids"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in all_resp]
    for feature, shape, n_unit in zip(all_resp, shapes, apportion(unit_grids, [area_km2(s) for s in shapes]),
                                      strict=True):
        props = feature["properties"]
        for j, cell in enumerate(split(shape, n_unit, rng)):
            out["unit_grids"].append(_feature(cell, code=f"{props['code']}{j + 1:04d}", resp_grid=props["code"],
                                              district=props["district"]))
    return out


def _feature(geometry: BaseGeometry, **properties: Any) -> dict[str, Any]:
    rounded = shapely.set_precision(geometry, 1e-6)
    return {"type": "Feature", "properties": {**properties, "area_km2": round(area_km2(geometry), 4)},
            "geometry": mapping(rounded)}


def write(out_dir: Path = OUT, **kwargs: Any) -> None:
    """Write districts.geojson, resp_grids.geojson and unit_grids.geojson."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, features in generate(**kwargs).items():
        collection = {"type": "FeatureCollection", "features": features}
        (out_dir / f"{name}.geojson").write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
                                                 "utf-8")


if __name__ == "__main__":
    write()
