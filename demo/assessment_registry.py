"""The demo city's assessment registries (考评登记): 25 property companies (物业企业), ~300 garbage-sorting objects
(垃圾分类考评: residential communities, public institutions, collection points, a few transfer stations) and 120
residential compounds (住宅小区: polygons of 100–300 m, each with its property company) inside the demo city's unit
grids, and both schemes' checklists (考评细则). ``python -m demo.assessment_registry`` rewrites
config/city/zhangzhou/assessment/ (the same files every time); ``gridcase demo seed`` loads them
(``LoadAssessmentRegistry``)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from demo.assessment_checklists import CHECKLISTS
from demo.registry_files import csv_text, geojson_text, rectangle_in_grid

CITY = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"
FOLDER = CITY / "assessment"
SEED = 2027
COMPANY_WORDS = ("万科", "碧桂园", "恒大", "建发", "联发", "国贸", "中海", "保利", "融信", "世茂", "阳光城", "正荣",
                 "金辉", "宝龙", "龙湖", "招商", "绿城", "华润", "九龙江", "圆山", "芗江", "丹霞", "碧湖", "龙文",
                 "水仙花")
PLACE_WORDS = ("碧湖", "丹霞", "九龙", "圆山", "芝山", "南山", "水仙", "金峰", "蓝田", "朝阳", "龙江", "江滨", "新华",
               "胜利", "瑞京", "元光", "大通", "北斗", "钟法", "延安", "腾飞", "建元", "凤霞", "步文", "西院", "东铺")
COMMUNITY_SUFFIXES = ("社区", "小区", "新村", "花园", "家园", "苑", "公寓")
COMPOUND_SUFFIXES = ("花园", "华庭", "名城", "公馆", "御景", "雅苑", "城市广场", "壹号院", "湾", "世家")
INSTITUTIONS = ("人民政府", "实验小学", "第一中学", "人民医院", "图书馆", "市场监督管理局", "税务局", "中心幼儿园",
                "职业技术学院", "妇幼保健院", "文化馆", "公安分局")
SURNAMES = "陈林黄张吴郑王蔡李杨许刘"
DISTRICT_NAMES = {"350602": "芗城区", "350603": "龙文区", "350690": "高新区"}
SANITATION, PROPERTY_CENTRE = "C06", "C27"  # 环境卫生管理处, 物业管理服务中心
KIND_COUNTS = (("community", "SQ", 150), ("institution", "JG", 60), ("collection_point", "SJ", 85),
               ("transfer_station", "ZZ", 6))


def companies(rng: random.Random) -> list[dict[str, Any]]:
    """25 property companies WY01…WY25 with a contact and a phone; the last retired."""
    return [{"code": f"WY{number:02d}", "name": f"漳州{word}物业服务有限公司",
             "contact_name": rng.choice(SURNAMES) + rng.choice(("经理", "主管", "女士", "先生")),
             "contact_phone": f"0596-{rng.randint(2000000, 2999999)}", "active": 0 if number == 25 else 1}
            for number, word in enumerate(COMPANY_WORDS, start=1)]


def _grids(city: Path) -> list[tuple[str, str, BaseGeometry]]:
    """The unit grids as (code, district, shape), by code."""
    found = json.loads((city / "unit_grids.geojson").read_text("utf-8"))["features"]
    return sorted((g["properties"]["code"], g["properties"]["district"], shape(g["geometry"])) for g in found)


def _name(rng: random.Random, used: set[str], make: Any) -> str:
    """A name not used yet (``make(rng)`` until one is new; numbered when the words run out)."""
    for _ in range(50):
        name = str(make(rng))
        if name not in used:
            used.add(name)
            return name
    name = f"{make(rng)}{len(used)}"
    used.add(name)
    return name


def _object_name(kind: str, district: str, rng: random.Random) -> str:
    place = rng.choice(PLACE_WORDS)
    if kind == "community":
        return place + rng.choice(COMMUNITY_SUFFIXES)
    if kind == "institution":
        return DISTRICT_NAMES[district] + rng.choice(INSTITUTIONS) if rng.random() < 0.5 \
            else f"漳州市{place}{rng.choice(INSTITUTIONS)}"
    if kind == "collection_point":
        return f"{place}{rng.choice(COMMUNITY_SUFFIXES)}垃圾分类收集点"
    return f"{place}垃圾中转站"


def _point(grid: BaseGeometry) -> list[float]:
    inside = grid.representative_point()
    return [round(inside.x, 6), round(inside.y, 6)]


def garbage_objects(rng: random.Random, grids: list[tuple[str, str, BaseGeometry]]) -> list[dict[str, Any]]:
    """~300 garbage-sorting objects, each at the inner point of its own unit grid; a few retired. Transfer
    stations and collection points answer to the sanitation department (C06); the others are routed by place."""
    chosen = iter(rng.sample(grids, sum(count for _, _, count in KIND_COUNTS)))
    used: set[str] = set()
    features = []
    for kind, prefix, count in KIND_COUNTS:
        for number in range(1, count + 1):
            _, district, grid = next(chosen)
            props: dict[str, Any] = {
                "scheme": "garbage_sorting", "code": f"GS-{prefix}{number:03d}", "kind": kind,
                "name": _name(rng, used, lambda r, k=kind, d=district: _object_name(k, d, r)),
                "address": f"漳州市{DISTRICT_NAMES[district]}{rng.choice(PLACE_WORDS)}路{rng.randint(1, 300)}号",
                "active": number % 40 != 0}
            if kind in ("transfer_station", "collection_point"):
                props["department"] = SANITATION
            features.append({"type": "Feature", "properties": props,
                             "geometry": {"type": "Point", "coordinates": _point(grid)}})
    return features


def _compound_shape(rng: random.Random, grid: BaseGeometry) -> BaseGeometry:
    """A rectangle of 100–300 m around the grid's inner point, clipped to the grid (so inside the city)."""
    half_x_m = rng.uniform(50, 150)
    return rectangle_in_grid(grid, half_x_m, rng.uniform(50, 150))


def compounds(rng: random.Random, grids: list[tuple[str, str, BaseGeometry]], company_rows: list[dict[str, Any]],
              total: int = 120) -> list[dict[str, Any]]:
    """120 residential compounds, each in its own unit grid with its property company (an active one), answering
    to the property management service centre (C27)."""
    active = [c["code"] for c in company_rows if c["active"]]
    used: set[str] = set()
    features = []
    for number, (_, district, grid) in enumerate(rng.sample(grids, total), start=1):
        name = _name(rng, used, lambda r: r.choice(COMPANY_WORDS) + r.choice(COMPOUND_SUFFIXES))
        features.append({"type": "Feature", "properties": {
            "scheme": "property", "code": f"PM-XQ{number:03d}", "name": name, "kind": "compound",
            "address": f"漳州市{DISTRICT_NAMES[district]}{rng.choice(PLACE_WORDS)}路{rng.randint(1, 300)}号",
            "company": active[(number - 1) % len(active)], "department": PROPERTY_CENTRE, "active": True},
            "geometry": mapping(_compound_shape(rng, grid))})
    return features


def generate(city: Path = CITY, seed: int = SEED) -> dict[str, str]:
    """The three files' texts, by name (the same seed, the same text)."""
    rng = random.Random(seed)
    grids = _grids(city)
    company_rows = companies(rng)
    objects = garbage_objects(rng, grids) + compounds(rng, grids, company_rows)
    return {"companies.csv": csv_text(company_rows), "objects.geojson": geojson_text(objects),
            "checklists.json": json.dumps(CHECKLISTS, ensure_ascii=False, indent=1) + "\n"}


def main() -> None:
    """Write the files into config/city/zhangzhou/assessment/."""
    FOLDER.mkdir(exist_ok=True)
    for name, text in generate().items():
        (FOLDER / name).write_text(text, "utf-8")


if __name__ == "__main__":
    main()
