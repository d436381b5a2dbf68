"""The demo city's construction-waste transport registries (渣土运输登记): 12 companies, ~300 trucks (devices
DEV-00001…), 10 source sites (出土点), 4 disposal sites (消纳场) and each company's depot (停车场, where its trucks
park for the night) inside the demo city's unit grids, and ~40 permits (核准), each a route from its source to its
disposal site. ``python -m demo.transport_registry`` rewrites
config/city/zhangzhou/transport/ (the same files every time); ``gridcase demo seed`` loads them
(``LoadTransportRegistry``)."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from demo.registry_files import METRES_PER_DEG_LAT, csv_text, geojson_text, metres_per_deg_lon, rectangle_in_grid

CITY = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"
FOLDER = CITY / "transport"
SEED = 2026
COMPANY_NAMES = ("鑫达", "顺通", "恒运", "宏发", "永盛", "闽南", "九龙江", "圆山", "芗江", "龙文", "碧湖", "丹霞")
SOURCE_NAMES = ("万达广场二期", "碧湖片区安置房", "龙文塔地块", "漳州古城修缮", "高铁站综合体", "西院湖公园",
                "九龙大道管廊", "战备路改造", "江滨路延伸段", "市二医院新院区")
DISPOSAL_NAMES = ("西溪消纳场", "石亭消纳场", "朝阳消纳场", "蓝田消纳场")
SURNAMES = "陈林黄张吴郑王蔡李杨"
VALID_FROM, VALID_TO = "2026-01-01T00:00:00+08:00", "2027-12-31T23:59:59+08:00"
NIGHT, DAY = "20:00-06:00", "09:00-16:00"


def companies(rng: random.Random) -> list[dict[str, Any]]:
    """The companies: code ZT01…ZT12, a name, an 18-character credit code, a contact and a phone."""
    rows = []
    for number, name in enumerate(COMPANY_NAMES, start=1):
        credit = "91350600" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
        rows.append({"code": f"ZT{number:02d}", "name": f"漳州市{name}渣土运输有限公司", "credit_code": credit,
                     "contact": rng.choice(SURNAMES) + rng.choice(("先生", "女士", "经理")),
                     "phone": f"0596-{rng.randint(2000000, 2999999)}", "active": 1})
    return rows


def vehicles(rng: random.Random, company_rows: list[dict[str, Any]], total: int = 300) -> list[dict[str, Any]]:
    """The trucks: 闽E plates, spread unevenly over the companies, devices DEV-00001… in order; a few retired."""
    weights = [rng.uniform(0.6, 1.4) for _ in company_rows]
    owners = rng.choices([c["code"] for c in company_rows], weights=weights, k=total - len(company_rows))
    owners = sorted([c["code"] for c in company_rows] + owners)  # each company at least one truck
    plates: set[str] = set()
    while len(plates) < total:
        plates.add("闽E" + rng.choice("ABCDFGHJKLMNPQRSTUVWXYZ") + f"{rng.randint(0, 9999):04d}")
    return [{"plate": plate, "company_code": owner, "device_id": f"DEV-{number:05d}",
             "active": 0 if number % 50 == 0 else 1}
            for number, (plate, owner) in enumerate(zip(sorted(plates), owners, strict=True), start=1)]


def sites(rng: random.Random, grids: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """10 source sites in grids near the centre and 4 disposal sites in grids far out, one per quarter."""
    shapes = [(g["properties"]["code"], shape(g["geometry"])) for g in grids]
    centre = shapely.union_all([s for _, s in shapes]).centroid
    by_distance = sorted(shapes, key=lambda cs: (cs[1].centroid.distance(centre), cs[0]))
    inner = rng.sample(by_distance[: len(by_distance) // 3], len(SOURCE_NAMES))
    features = [_site("SRC", i, name, "source", rectangle_in_grid(s, 60, 60)) for i, (name, (_, s))
                in enumerate(zip(SOURCE_NAMES, sorted(inner), strict=True), start=1)]
    outer = by_distance[-len(by_distance) // 4:]
    for i, name in enumerate(DISPOSAL_NAMES, start=1):
        quarter = [cs for cs in outer if _quarter(cs[1], centre) == i - 1]
        _, grid = rng.choice(sorted(quarter, key=lambda cs: cs[0]))
        features.append(_site("DSP", i, name, "disposal", shapely.set_precision(grid, 1e-6)))
    return features


def _quarter(geometry: BaseGeometry, centre: Point) -> int:
    """0 north-east, 1 north-west, 2 south-west, 3 south-east of the centre."""
    dx, dy = geometry.centroid.x - centre.x, geometry.centroid.y - centre.y
    return (0 if dx >= 0 else 1) if dy >= 0 else (2 if dx < 0 else 3)


def depots(rng: random.Random, grids: list[dict[str, Any]], company_rows: list[dict[str, Any]],
           site_features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each company's depot (停车场): a yard of about 150 m in a grid of the middle ring (neither the centre, where
    the sources are, nor the edge, where the disposal sites are), no two in one grid and none in a site's grid."""
    shapes = [(g["properties"]["code"], shape(g["geometry"])) for g in grids]
    centre = shapely.union_all([s for _, s in shapes]).centroid
    by_distance = sorted(shapes, key=lambda cs: (cs[1].centroid.distance(centre), cs[0]))
    taken = [shape(f["geometry"]) for f in site_features]
    ring = [(code, grid) for code, grid in by_distance[len(by_distance) // 3: -len(by_distance) // 4]
            if not any(grid.intersects(site) for site in taken)]
    chosen = rng.sample(ring, len(company_rows))
    return [_site("DEP", number, f"{company['name'].removeprefix('漳州市').removesuffix('渣土运输有限公司')}车队停车场",
                  "depot", rectangle_in_grid(grid, 75, 75), company["code"])
            for number, (company, (_, grid)) in enumerate(zip(company_rows, chosen, strict=True), start=1)]


def _site(prefix: str, number: int, name: str, kind: str, geometry: BaseGeometry,
          company_code: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"code": f"{prefix}{number:02d}", "name": name, "kind": kind}
    if company_code is not None:
        properties["company_code"] = company_code
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def route(rng: random.Random, start: tuple[float, float], end: tuple[float, float]) -> list[list[float]]:
    """A plausible road route: east–west, then north–south, then east–west again (as a street grid runs), a
    point every ~700 m with a few metres of wobble; rounded to 6 decimals (~0.1 m)."""
    turn = start[0] + (end[0] - start[0]) * rng.uniform(0.3, 0.7)
    corners = [start, (turn, start[1]), (turn, end[1]), end]
    points: list[tuple[float, float]] = [start]
    for (x0, y0), (x1, y1) in itertools.pairwise(corners):
        length_m = math.hypot((x1 - x0) * metres_per_deg_lon(y0), (y1 - y0) * METRES_PER_DEG_LAT)
        steps = max(1, round(length_m / 700))
        for step in range(1, steps + 1):
            wobble = 0.0 if step == steps else rng.uniform(-8, 8) / METRES_PER_DEG_LAT
            points.append((x0 + (x1 - x0) * step / steps + wobble, y0 + (y1 - y0) * step / steps + wobble))
    unique = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return [[round(x, 6), round(y, 6)] for x, y in unique]


def permits(rng: random.Random, company_rows: list[dict[str, Any]], vehicle_rows: list[dict[str, Any]],
            site_features: list[dict[str, Any]], total: int = 40) -> list[dict[str, Any]]:
    """~40 permits: 3–4 per company, each a corridor 80 m wide from a source to a disposal site, mostly at night
    (20:00–06:00), every fifth by day (09:00–16:00), naming 4–8 of the company's active trucks; one revoked."""
    sources = [f for f in site_features if f["properties"]["kind"] == "source"]
    disposals = [f for f in site_features if f["properties"]["kind"] == "disposal"]
    features = []
    for number in range(1, total + 1):
        company = company_rows[(number - 1) % len(company_rows)]["code"]
        fleet = [v["plate"] for v in vehicle_rows if v["company_code"] == company and v["active"]]
        source, disposal = rng.choice(sources), rng.choice(disposals)
        start = shape(source["geometry"]).representative_point()
        end = shape(disposal["geometry"]).representative_point()
        features.append({"type": "Feature", "properties": {
            "code": f"ZTHZ-2026-{number:03d}", "company_code": company, "source_site": source["properties"]["code"],
            "disposal_site": disposal["properties"]["code"], "corridor_width_m": 80,
            "valid_from": VALID_FROM, "valid_to": VALID_TO, "hours": [DAY if number % 5 == 0 else NIGHT],
            "state": "revoked" if number == total else "active",
            "plates": sorted(rng.sample(fleet, min(len(fleet), rng.randint(4, 8))))},
            "geometry": {"type": "LineString", "coordinates": route(rng, (start.x, start.y), (end.x, end.y))}})
    return features


def generate(city: Path = CITY, seed: int = SEED) -> dict[str, str]:
    """The four files' texts, by name (the same seed, the same text)."""
    rng = random.Random(seed)
    grids = json.loads((city / "unit_grids.geojson").read_text("utf-8"))["features"]
    company_rows = companies(rng)
    vehicle_rows = vehicles(rng, company_rows)
    site_features = sites(rng, grids)
    permit_features = permits(rng, company_rows, vehicle_rows, site_features)
    depot_features = depots(rng, grids, company_rows, site_features)  # drawn last: the other files stay as they were
    return {"companies.csv": csv_text(company_rows), "vehicles.csv": csv_text(vehicle_rows),
            "sites.geojson": geojson_text(site_features + depot_features),
            "permits.geojson": geojson_text(permit_features)}


def main() -> None:
    """Write the files into config/city/zhangzhou/transport/."""
    FOLDER.mkdir(exist_ok=True)
    for name, text in generate().items():
        (FOLDER / name).write_text(text, "utf-8")


if __name__ == "__main__":
    main()
