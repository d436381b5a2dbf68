"""``gridcase bench geo``: location → unit grid lookups per second over the demo city's 4226 grids."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

from city.grids.index import GridIndex, cells_from_features

CITY = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"


def run(points: int = 200_000, seed: int = 7) -> dict[str, Any]:
    """Time vectorised lookups of random points in the city's bounding box (some fall outside)."""
    features = json.loads((CITY / "unit_grids.geojson").read_text("utf-8"))["features"]
    started = time.perf_counter()
    index = GridIndex(cells_from_features(features))
    build_s = time.perf_counter() - started
    minx = min(c.geometry.bounds[0] for c in index.cells)
    miny = min(c.geometry.bounds[1] for c in index.cells)
    maxx = max(c.geometry.bounds[2] for c in index.cells)
    maxy = max(c.geometry.bounds[3] for c in index.cells)
    rng = random.Random(seed)
    sample = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(points)]
    started = time.perf_counter()
    hits = index.locate_many(sample)
    elapsed = time.perf_counter() - started
    inside = sum(hit is not None for hit in hits)
    return {"unit_grids": len(index.cells), "points": points, "inside_coverage": inside,
            "outside_coverage": points - inside, "index_build_s": round(build_s, 3),
            "lookups_per_s": round(points / elapsed)}
