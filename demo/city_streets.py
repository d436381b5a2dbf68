"""The demo city's streets and towns (街道/乡镇): one per street-level department of departments.json, each given a
run of its district's responsibility grids from west to east (their centroids' longitude), so every grid has a
street and every street office a stretch of the city. ``python -m demo.city_streets`` rewrites
config/city/zhangzhou/streets.json (the same file every time)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely.geometry

from demo.city_grids import apportion

CITY = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"
SUFFIXES = ("办事处", "人民政府", "管理处")


def street_name(department_name: str) -> str:
    """东铺头街道办事处 → 东铺头街道, 芝山镇人民政府 → 芝山镇, 圆山新城管理处 → 圆山新城."""
    for suffix in SUFFIXES:
        if department_name.endswith(suffix):
            return department_name[: -len(suffix)]
    return department_name


def generate(folder: Path = CITY) -> dict[str, list[dict[str, Any]]]:
    """The streets of the demo city: code (county code + 3-digit township number + 000, as the national
    statistical division codes), name, district, street office department and responsibility grids."""
    departments = json.loads((folder / "departments.json").read_text("utf-8"))["departments"]
    grids = json.loads((folder / "resp_grids.geojson").read_text("utf-8"))["features"]
    streets = []
    for district in sorted({d["district"] for d in departments if d["level"] == "street"}):
        offices = sorted((d for d in departments if d["level"] == "street" and d["district"] == district),
                         key=lambda d: d["code"])
        mine = sorted((g for g in grids if g["properties"]["district"] == district),
                      key=lambda g: (shapely.geometry.shape(g["geometry"]).centroid.x, g["properties"]["code"]))
        start = 0
        for number, (office, count) in enumerate(zip(offices, apportion(len(mine), [1.0] * len(offices)),
                                                     strict=True), start=1):
            streets.append({"code": f"{district}{number:03d}000", "name": street_name(office["name_zh"]),
                            "district": district, "department": office["code"],
                            "resp_grids": sorted(g["properties"]["code"] for g in mine[start:start + count])})
            start += count
    return {"streets": streets}


def write(folder: Path = CITY) -> None:
    """Write streets.json."""
    (folder / "streets.json").write_text(json.dumps(generate(folder), ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    write()
