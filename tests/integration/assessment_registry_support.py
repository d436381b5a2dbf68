"""The assessment registry tests' files (考评登记): the demo city's files, changed copies of them, the row counts a
refused load must leave as they were (the CSV helpers and the loads' lock as another connection sees it:
``registry_load_support``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from registry_load_support import csv_rows as csv_rows  # its tests import them from here
from registry_load_support import csv_text as csv_text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "config" / "city" / "zhangzhou" / "assessment"
COMPANY_HEADER = "code,name,contact_name,contact_phone,active\n"
TABLES = ("property_companies", "assessed_objects", "assessment_checklists")


def demo_files() -> dict[str, str]:
    """The demo city's three registry files by name."""
    return {path.name: path.read_text("utf-8") for path in sorted(DEMO_DIR.iterdir())}


def features() -> list[dict[str, Any]]:
    """The demo objects' features."""
    found: list[dict[str, Any]] = json.loads(demo_files()["objects.geojson"])["features"]
    return found


def feature(kind: str, **props: Any) -> dict[str, Any]:
    """A copy of the demo's first object of ``kind``, its properties changed by ``props``."""
    found = copy.deepcopy(next(f for f in features() if f["properties"]["kind"] == kind))
    found["properties"].update(props)
    return found


def objects_file(*items: dict[str, Any]) -> dict[str, str]:
    """Features as ``objects.geojson``."""
    return {"objects.geojson": json.dumps({"type": "FeatureCollection", "features": list(items)},
                                          ensure_ascii=False)}


def checklists() -> dict[str, Any]:
    """The demo checklists as a document."""
    found: dict[str, Any] = json.loads(demo_files()["checklists.json"])
    return found


def table_state(engine: Engine) -> tuple[Any, ...]:
    """Each registry table's row count and newest stamp: a refused load leaves all of them as they were."""
    parts = ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in TABLES)
    with engine.connect() as conn:
        return tuple(conn.execute(sa.text(f"SELECT {parts}, (SELECT MAX(updated_at) FROM assessed_objects),"
                                          " (SELECT MAX(updated_at) FROM property_companies)")).one())
