"""Generate the demo city's component registry (部件普查): ``python -m demo.components`` rewrites
config/city/zhangzhou/components.csv (the same file every time: seed 2026).

Each 部件 class of the catalogue gets components at random places inside the unit grids, owned as a city of this
kind owns them: manhole covers by their utility (上水 the water group, 电力 the power company, 燃气 the gas
company, 雨污水 the drainage office or the district's municipal office), lamps by the street-lamp office, trees and
green spaces by the landscaping centre or the district, traffic devices by the traffic police or the transport
bureau, building façades by their owners (external owners, ``external:NAME``). ``D05`` in ``OWNERS`` means that
department of the component's own district (``350602-D05``).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import shapely.geometry
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

CITY = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"
OUT = CITY / "components.csv"
COLUMNS = ("id", "class", "owner", "state", "lon", "lat")
PER_CLASS = 80
MANY = {"0101": 240, "0102": 240, "0103": 240, "0104": 160, "0105": 160, "0106": 120, "0109": 300, "0112": 200,
        "0301": 240, "0308": 160, "0401": 400, "0406": 200, "0202": 160, "0204": 120}
OWNERS: dict[str, tuple[str, ...]] = {
    "0101": ("C19",), "0102": ("C09", "D05"), "0103": ("C09", "D05"), "0104": ("C20",), "0105": ("C22", "C23", "C24"),
    "0106": ("C21",), "0107": ("C05", "D05"), "0108": ("C18", "C19"), "0109": ("C08", "D05"), "0110": ("C08",),
    "0111": ("C08", "D02"), "0112": ("C09", "D05"), "0113": ("C20",), "0114": ("C22", "C23", "C24"), "0115": ("C20",),
    "0116": ("external:中国邮政漳州市分公司",),
    "0201": ("C15", "D10"), "0202": ("C14", "C15"), "0203": ("C14", "D10"), "0204": ("C05", "D05"),
    "0205": ("C05", "D05"), "0206": ("C25",), "0207": ("C05",), "0208": ("C26",), "0209": ("C26",),
    "0210": ("C05", "D05"), "0211": ("C14",), "0212": ("C15",), "0213": ("C15",), "0214": ("C14", "D10"),
    "0301": ("C06", "D04"), "0302": ("C06", "D04"), "0303": ("C28", "C06"), "0304": ("C03", "D02"),
    "0305": ("C03", "external:广告经营单位"), "0306": ("C03", "external:报刊发行公司"), "0307": ("C06", "D04"),
    "0308": ("C06", "D04"), "0309": ("C03", "D02"), "0310": ("external:沿街商户", "C03"), "0311": ("C06",),
    "0401": ("C07", "D05"), "0402": ("C07",), "0403": ("C07", "D05"), "0404": ("C07", "D05"), "0405": ("C03", "C07"),
    "0406": ("C07", "D05"), "0407": ("C07", "D05"), "0408": ("C07",), "0409": ("C07", "D05"),
    "0501": ("C13", "D08"), "0502": ("C13", "D08"), "0503": ("C09",), "0504": ("C12",), "0505": ("C12", "D07"),
    "0506": ("C12", "D07"), "0507": ("C26", "C15"), "0508": ("C26", "external:充电桩运营商"), "0509": ("C25",),
    "0510": ("external:房屋业主", "C10", "D06"), "0511": ("external:房屋业主",), "0512": ("external:房屋业主",),
    "0513": ("C10", "C11", "D06"), "0514": ("C27", "external:小区物业服务企业"),
}
STATES = (("in_use", 0.9), ("damaged", 0.06), ("stopped", 0.02), ("removed", 0.02))


def _inside(rng: random.Random, geometry: BaseGeometry) -> tuple[float, float]:
    """A random point inside a unit grid (rejection sampling in its bounds)."""
    west, south, east, north = geometry.bounds
    while True:
        point = Point(rng.uniform(west, east), rng.uniform(south, north))
        if geometry.contains(point):
            return round(point.x, 6), round(point.y, 6)


def generate(seed: int = 2026, folder: Path = CITY) -> list[dict[str, object]]:
    """The registry's rows, in id order: ``<class>-<number>`` ids, each class's owners from ``OWNERS``."""
    rng = random.Random(seed)
    subtypes = json.loads((folder / "categories.json").read_text("utf-8"))["subtypes"]
    grids = [(f["properties"]["district"], shapely.geometry.shape(f["geometry"]))
             for f in json.loads((folder / "unit_grids.geojson").read_text("utf-8"))["features"]]
    rows = []
    for subtype in sorted((s for s in subtypes if s["kind"] == "component"), key=lambda s: s["code"]):
        code = subtype["code"]
        for number in range(1, MANY.get(code, PER_CLASS) + 1):
            district, geometry = rng.choice(grids)
            owner = rng.choice(OWNERS[code])
            owner = f"{district}-{owner}" if owner.startswith("D") else owner
            state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
            lon, lat = _inside(rng, geometry)
            rows.append({"id": f"{code}-{number:05d}", "class": code, "owner": owner, "state": state,
                         "lon": lon, "lat": lat})
    return rows


def write(out: Path = OUT) -> int:
    """Write the registry as CSV; returns the number of components."""
    rows = generate()
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    print(write(), "components written to", OUT)
