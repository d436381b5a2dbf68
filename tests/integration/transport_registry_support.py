"""The transport registry tests' files: the demo city's registry files, and broken variants of them, each with the
problem key (``"<file>: row <N>: <field>"``) and a part of the message the load must refuse it with."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from registry_load_support import csv_rows as csv_rows  # its tests import them from here
from registry_load_support import csv_text as csv_text

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "config" / "city" / "zhangzhou" / "transport"
COMPANY_HEADER = "code,name,credit_code,contact,phone,active\n"
VEHICLE_HEADER = "plate,company_code,device_id,active\n"


def demo_files() -> dict[str, str]:
    """The demo city's four registry files by name."""
    return {path.name: path.read_text("utf-8") for path in sorted(DEMO_DIR.iterdir())}


def features(text: str) -> list[dict[str, Any]]:
    """A GeoJSON file's features."""
    found: list[dict[str, Any]] = json.loads(text)["features"]
    return found


def geojson(*items: dict[str, Any]) -> str:
    """Features as a FeatureCollection's text."""
    return json.dumps({"type": "FeatureCollection", "features": list(items)}, ensure_ascii=False)


def _site(**changes: Any) -> str:
    site = copy.deepcopy(features(demo_files()["sites.geojson"])[0])
    site["properties"] = {**site["properties"], "code": "SRC99", **changes.pop("properties", {})}
    site.update(changes)
    return geojson(site)


def _permit(**properties: Any) -> str:
    permit = copy.deepcopy(features(demo_files()["permits.geojson"])[0])
    geometry = properties.pop("geometry", None)
    permit["properties"] = {**permit["properties"], "code": "ZTHZ-TEST-1", **properties}
    if geometry is not None:
        permit["geometry"] = geometry
    return geojson(permit)


def other_company_plate(company: str) -> str:
    """A demo plate that is not ``company``'s."""
    return next(v["plate"] for v in csv_rows(demo_files()["vehicles.csv"]) if v["company_code"] != company)


def _moved_truck_and_site() -> tuple[str, str]:
    """A vehicles.csv moving a truck of permit ZTHZ-2026-003 to another company (its device kept), and a
    sites.geojson turning that permit's source site into a disposal site."""
    permit = next(f for f in features(demo_files()["permits.geojson"]) if f["properties"]["code"] == "ZTHZ-2026-003")
    plate, company = permit["properties"]["plates"][0], permit["properties"]["company_code"]
    truck = next(v for v in csv_rows(demo_files()["vehicles.csv"]) if v["plate"] == plate)
    moved = csv_text([{**truck, "company_code": "ZT12" if company != "ZT12" else "ZT11"}])
    site = next(f for f in features(demo_files()["sites.geojson"])
                if f["properties"]["code"] == permit["properties"]["source_site"])
    return moved, geojson({**site, "properties": {**site["properties"], "kind": "disposal"}})


def refused_loads() -> list[tuple[str, dict[str, str], str, str]]:
    """(case, files, problem key, part of its message): every kind of file the load refuses."""
    demo = features(demo_files()["permits.geojson"])[0]
    corner = demo["geometry"]["coordinates"][0]
    square = [[117.60, 24.50], [117.601, 24.50], [117.601, 24.501], [117.60, 24.501], [117.60, 24.50]]
    bowtie = [[117.60, 24.50], [117.601, 24.501], [117.601, 24.50], [117.60, 24.501], [117.60, 24.50]]
    far = [[x - 17.0, y] for x, y in square]
    swapped = [[y, x] for x, y in square]
    moved_truck, turned_site = _moved_truck_and_site()
    return [
        ("header", {"companies.csv": "code,name\nZT99,某公司\n"}, "companies.csv: row 1: header", "missing active"),
        ("flag", {"companies.csv": COMPANY_HEADER + "ZT99,某公司,,,,maybe\n"}, "companies.csv: row 2: active",
         "1, 0, true or false"),
        ("repeated code", {"companies.csv": COMPANY_HEADER + "ZT98,甲,,,,1\nZT98,乙,,,,1\n"},
         "companies.csv: row 3: code", "repeats row 2"),
        ("credit code", {"companies.csv": COMPANY_HEADER + "ZT99,某公司,12345,,,1\n"},
         "companies.csv: row 2: credit_code", "unified social credit code"),
        ("no name", {"companies.csv": COMPANY_HEADER + "ZT99,,,,,1\n"}, "companies.csv: row 2: name", "missing"),
        ("unknown company", {"vehicles.csv": VEHICLE_HEADER + "闽EE9901,ZT77,DEV-99901,1\n"},
         "vehicles.csv: row 2: company_code", "no company 'ZT77'"),
        ("plate", {"vehicles.csv": VEHICLE_HEADER + "E99901,ZT01,DEV-99901,1\n"}, "vehicles.csv: row 2: plate",
         "plate such as"),
        ("device taken", {"vehicles.csv": VEHICLE_HEADER + "闽EE9901,ZT01,DEV-00001,1\n"},
         "vehicles.csv: row 2: device_id", "also the device of"),
        ("extra value", {"vehicles.csv": VEHICLE_HEADER + "闽EE9901,ZT01,DEV-99901,1,x\n"},
         "vehicles.csv: row 2: columns", "more values"),
        ("bowtie", {"sites.geojson": _site(geometry={"type": "Polygon", "coordinates": [bowtie]})},
         "sites.geojson: row 1: geometry", "not a valid polygon"),
        ("outside the city", {"sites.geojson": _site(geometry={"type": "Polygon", "coordinates": [far]})},
         "sites.geojson: row 1: geometry", "outside the city's area"),
        ("lat first", {"sites.geojson": _site(geometry={"type": "Polygon", "coordinates": [swapped]})},
         "sites.geojson: row 1: geometry", "lon -180..180"),
        ("site kind", {"sites.geojson": _site(properties={"kind": "dump"})}, "sites.geojson: row 1: kind",
         "source or disposal"),
        ("depot without its company", {"sites.geojson": _site(properties={"kind": "depot"})},
         "sites.geojson: row 1: company_code", "missing"),
        ("depot of no company", {"sites.geojson": _site(properties={"kind": "depot", "company_code": "ZT77"})},
         "sites.geojson: row 1: company_code", "no company 'ZT77'"),
        ("company on a source site", {"sites.geojson": _site(properties={"company_code": "ZT01"})},
         "sites.geojson: row 1: company_code", "only a depot"),
        ("source is a depot", {"permits.geojson": _permit(source_site="DEP01")},
         "permits.geojson: row 1: source_site", "is a depot site"),
        ("not json", {"sites.geojson": "{\"type\": \"FeatureCollection\", "}, "sites.geojson: file", "not JSON"),
        ("not a collection", {"sites.geojson": "[]"}, "sites.geojson: file", "FeatureCollection"),
        ("one point", {"permits.geojson": _permit(geometry={"type": "LineString", "coordinates": [corner, corner]})},
         "permits.geojson: row 1: geometry", "two distinct points"),
        ("polygon corridor", {"permits.geojson": _permit(geometry={"type": "Polygon", "coordinates": [square]})},
         "permits.geojson: row 1: geometry", "must be a LineString"),
        ("width", {"permits.geojson": _permit(corridor_width_m=0)}, "permits.geojson: row 1: corridor_width_m",
         "1–2000"),
        ("window", {"permits.geojson": _permit(valid_to="2025-01-01T00:00:00+08:00")},
         "permits.geojson: row 1: valid_to", "after valid_from"),
        ("no offset", {"permits.geojson": _permit(valid_from="2026-01-01T00:00:00")},
         "permits.geojson: row 1: valid_from", "with its offset"),
        ("hours", {"permits.geojson": _permit(hours=["25:00-06:00"])}, "permits.geojson: row 1: hours.0",
         "HH:MM-HH:MM"),
        ("state", {"permits.geojson": _permit(state="paused")}, "permits.geojson: row 1: state", "active or revoked"),
        ("source is a disposal site", {"permits.geojson": _permit(source_site="DSP01")},
         "permits.geojson: row 1: source_site", "is a disposal site"),
        ("unknown site", {"permits.geojson": _permit(disposal_site="DSP77")},
         "permits.geojson: row 1: disposal_site", "no site 'DSP77'"),
        ("another company's plate", {"permits.geojson": _permit(plates=[other_company_plate("ZT01")])},
         "permits.geojson: row 1: plates.0", "not ZT01"),
        ("unknown plate", {"permits.geojson": _permit(plates=["闽EE9999"])}, "permits.geojson: row 1: plates.0",
         "no vehicle"),
        ("a stored permit's truck changes company", {"vehicles.csv": moved_truck}, "vehicles.csv: row 2: company_code",
         "is named on permit ZTHZ-2026-003"),
        ("a stored permit's site changes kind", {"sites.geojson": turned_site}, "sites.geojson: row 1: kind",
         "is the source site of permit"),
        ("unknown file", {"trucks.csv": VEHICLE_HEADER}, "trucks.csv: file", "unknown file"),
        ("a good file beside a bad one", {"companies.csv": COMPANY_HEADER + "ZT90,新公司,,,,1\n",
                                          "vehicles.csv": VEHICLE_HEADER + "闽EE9901,ZT90,DEV-00002,1\n"},
         "vehicles.csv: row 2: device_id", "also the device of"),
    ]
