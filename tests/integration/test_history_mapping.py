"""``gridcase import cases --mapping``: a city's own "311-style" export on SQLite and PostgreSQL, its points located."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely.geometry
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = {"case_no": "CaseID", "reported_at": "Opened", "closed_at": "Closed", "subtype": "Category",
           "department": "Agency", "channel": "Source", "result": "Status", "lon": "Longitude", "lat": "Latitude"}
HEADER = ("CaseID", "Opened", "Closed", "Category", "Agency", "Source", "Status", "Longitude", "Latitude", "Ward")
MAPPING: dict[str, Any] = {
    "columns": COLUMNS,
    "values": {"subtype": {"Graffiti Removal": "0601", "Pothole in Street": "0602"},
               "department": {"Streets and Sanitation": "350602-D02", "default": "350602-D05"},
               "channel": {"Phone Call": "hotline", "Mobile App": "wechat"},
               "result": {"Completed": "closed", "Canceled": "voided"}},
    "datetime_format": "%m/%d/%Y %I:%M:%S %p", "time_zone": "America/Chicago"}


def _gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=False)


def _rows(url: str, sql: str) -> list[Any]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


def _files(tmp_path: Path, rows: Sequence[tuple[str, ...]], mapping: dict[str, Any] = MAPPING) -> tuple[Path, Path]:
    csv = tmp_path / "export.csv"
    csv.write_text("\n".join(",".join(f'"{v}"' for v in row) for row in [HEADER, *rows]) + "\n", "utf-8")
    spec = tmp_path / "mapping.json"
    spec.write_text(json.dumps(mapping), "utf-8")
    return csv, spec


def _import(url: str, csv: Path, spec: Path) -> subprocess.CompletedProcess[str]:
    return _gridcase(url, "import", "cases", str(csv), "--mapping", str(spec), "--json")


def _a_grid(url: str) -> tuple[str, str, str, tuple[float, float]]:
    """A unit grid of the loaded city with its responsibility grid, district and a point inside it."""
    code, resp, district, geometry = _rows(url, "SELECT code, resp_grid_code, district_code, geometry"
                                                " FROM unit_grids ORDER BY code")[100]
    point = shapely.geometry.shape(json.loads(geometry)).representative_point()
    return code, resp, district, (round(point.x, 7), round(point.y, 7))


def test_an_export_with_a_mapping_imports_once_located(city: str, tmp_path: Path) -> None:
    code, resp, district, (lon, lat) = _a_grid(city)
    rows = [("C-1001", "03/05/2024 11:30:00 PM", "03/06/2024 09:00:00 AM", "Graffiti Removal", "Streets and Sanitation",
             "Phone Call", "Completed", str(lon), str(lat), "12"),
            ("C-1002", "07/01/2024 08:15:00 AM", "", "Pothole in Street", "Transportation", "Mobile App", "Canceled",
             str(lon), str(lat), "3")]
    csv, spec = _files(tmp_path, rows)
    first = _import(city, csv, spec)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["imported"] == 2, first.stdout
    facts = _rows(city, "SELECT case_no, day, subtype, department, channel, result, unit_grid, resp_grid, district,"
                        " reported_at FROM case_facts WHERE case_no LIKE 'C-10%' ORDER BY case_no")
    # 11:30 PM in Chicago on March 5 (CST, UTC-6) is 05:30 UTC on March 6, 13:30 in the city's own zone
    assert [tuple(f[:9]) for f in facts] == [
        ("C-1001", "2024-03-06", "0601", "350602-D02", "hotline", "closed", code, resp, district),
        ("C-1002", "2024-07-01", "0602", "350602-D05", "wechat", "voided", code, resp, district)]
    again = _import(city, csv, spec)
    assert again.returncode == 0, again.stderr
    assert (json.loads(again.stdout)["imported"], json.loads(again.stdout)["already_present"]) == (0, 2)
    assert _rows(city, "SELECT COUNT(*) AS n FROM case_facts WHERE case_no LIKE 'C-10%'")[0].n == 2


def test_bad_rows_name_the_line_and_the_export_column(city: str, tmp_path: Path) -> None:
    _, _, _, (lon, lat) = _a_grid(city)
    good = ("C-2001", "03/05/2024 09:00:00 AM", "03/05/2024 10:00:00 AM", "Graffiti Removal",
            "Streets and Sanitation", "Phone Call", "Completed", str(lon), str(lat), "1")
    rows = [good,  # line 2
            ("C-2002", *good[1:3], "Abandoned Vehicle", *good[4:]),  # 3: no value for it
            ("C-2003", "2024-03-05 09:00", *good[2:]),  # 4: not the format
            ("C-2004", *good[1:5], "Fax", *good[6:]),  # 5: unknown channel
            ("C-2005", *good[1:7], "-87.6298", "41.8781", "1"),  # 6: Chicago is outside every grid
            ("C-2006", *good[1:3], "Graffiti Removal", *good[4:6], "Open", *good[7:])]  # 7: not in result's values
    result = _import(city, *_files(tmp_path, rows))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["bad_rows"]) == (1, 5)
    errors = {e["line"]: e["message"] for e in summary["errors"]}
    assert errors[3] == "Category (subtype): 'Abandoned Vehicle' is not in the mapping's values"
    assert errors[4].startswith("Opened (reported_at): '2024-03-05 09:00' does not match %m/%d/%Y")
    assert errors[5] == "Source (channel): 'Fax' is not in the mapping's values"
    assert errors[6] == "Longitude, Latitude (lon, lat): the point (-87.6298, 41.8781) is outside every grid"
    assert errors[7] == "Status (result): 'Open' is not in the mapping's values"
    assert [r.case_no for r in _rows(city, "SELECT case_no FROM case_facts WHERE case_no LIKE 'C-20%'")] == ["C-2001"]


def test_a_file_in_gridcase_columns_is_located_too(city: str, tmp_path: Path) -> None:
    code, resp, district, (lon, lat) = _a_grid(city)
    csv = tmp_path / "plain.csv"
    csv.write_text("case_no,reported_at,result,lon,lat,unit_grid\n"
                   f"HLOC1,2024-03-05T09:30:00+08:00,closed,{lon},{lat},\n"
                   "HLOC2,2024-03-05T09:30:00+08:00,closed,-87.6298,41.8781,\n"
                   f"HLOC3,2024-03-05T09:30:00+08:00,closed,{lon},{lat},3506020090064\n", "utf-8")
    done = _gridcase(city, "import", "cases", str(csv), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["imported"], summary["errors"]) == (
        2, [{"line": 3, "message": "lon, lat: the point (-87.6298, 41.8781) is outside every grid"}])
    facts = _rows(city, "SELECT case_no, unit_grid, resp_grid, district FROM case_facts WHERE case_no LIKE 'HLOC%'"
                        " ORDER BY case_no")
    assert [tuple(f) for f in facts] == [("HLOC1", code, resp, district), ("HLOC3", "3506020090064", None, None)]


def test_a_bad_mapping_is_refused_naming_the_key_or_column(city: str, tmp_path: Path) -> None:
    row = ("C-3001", "03/05/2024 09:00:00 AM", "", "Graffiti Removal", "Streets and Sanitation", "Phone Call",
           "Completed", "", "", "1")
    cases = {"unknown key(s) colums": {**MAPPING, "colums": {}},
             "unknown column(s) ward": {**MAPPING, "columns": {**COLUMNS, "ward": "Ward"}},
             "missing mapped column(s) Zip": {**MAPPING, "columns": {**COLUMNS, "reporter": "Zip"}},
             "missing column(s) result": {**MAPPING, "values": {},
                                          "columns": {k: v for k, v in COLUMNS.items() if k != "result"}},
             "unknown time zone 'America/Chicgo'": {**MAPPING, "time_zone": "America/Chicgo"}}
    for words, mapping in cases.items():
        done = _import(city, *_files(tmp_path, [row], mapping))
        assert done.returncode == 1 and words in done.stderr, (words, done.stderr)
    csv, spec = _files(tmp_path, [row])
    csv.write_text(csv.read_text("utf-8").replace('"Ward"', '"Category"', 1), "utf-8")  # Category twice
    twice = _import(city, csv, spec)
    assert twice.returncode == 1 and "mapped column(s) Category appear more than once" in twice.stderr, twice.stderr
    assert _rows(city, "SELECT COUNT(*) AS n FROM case_facts WHERE case_no = 'C-3001'")[0].n == 0
