"""A city package's assessment settings (``assessment.json``): optional, checked against the package's departments,
kept whole (考评: whose department members read rounds, rankings and reports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from city.package.extras import ASSESSMENT_SETTINGS, TRANSPORT_SETTINGS, assessment_extra, read_department_settings
from city.package.format import PackageError

DEMO = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou"
DEPARTMENTS = {"C01", "C03", "C04", "C06", "C27"}


def test_a_package_without_the_file_has_no_settings(tmp_path: Path) -> None:
    assert assessment_extra(None, DEPARTMENTS) == () and read_department_settings(tmp_path, DEPARTMENTS) == ()


def test_the_demo_city_names_the_sanitation_department_and_the_property_service_centre() -> None:
    rows = {(kind, code): json.loads(data) for kind, code, data in read_department_settings(DEMO, DEPARTMENTS)}
    assert rows[ASSESSMENT_SETTINGS]["managing_departments"] == ["C06", "C27"]
    assert rows[TRANSPORT_SETTINGS]["supervising_departments"] == ["C03", "C04"]  # read beside it


def test_a_package_file_refused_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "assessment.json").write_text('{"managing_departments": ["C77"]}', encoding="utf-8")
    with pytest.raises(PackageError, match=r"^assessment\.json: 'managing_departments': 'C77'"):
        read_department_settings(tmp_path, DEPARTMENTS)
