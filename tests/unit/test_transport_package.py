"""A city package's transport supervision settings (``transport.json``): optional, checked against the package's
departments, kept whole (渣土监管: whose department members read transport)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from city.package.extras import TRANSPORT_SETTINGS, read_transport, transport_extra
from city.package.format import PackageError

DEMO = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou" / "transport.json"
DEPARTMENTS = {"C01", "C02", "C03", "C04"}


def test_a_package_without_the_file_has_no_settings(tmp_path: Path) -> None:
    assert transport_extra(None, DEPARTMENTS) == () and read_transport(tmp_path, DEPARTMENTS) == ()


def test_the_demo_city_names_the_urban_management_bureau_and_the_enforcement_detachment() -> None:
    raw = json.loads(DEMO.read_text(encoding="utf-8"))
    [(kind, code, data)] = transport_extra(raw, DEPARTMENTS)
    assert (kind, code) == TRANSPORT_SETTINGS and json.loads(data) == raw
    assert raw["supervising_departments"] == ["C03", "C04"]


def test_a_package_file_refused_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "transport.json").write_text('{"supervising_departments": ["C77"]}', encoding="utf-8")
    with pytest.raises(PackageError, match=r"^transport\.json: 'supervising_departments': 'C77'"):
        read_transport(tmp_path, DEPARTMENTS)
    (tmp_path / "transport.json").write_text("{bad", encoding="utf-8")
    with pytest.raises(PackageError, match=r"^transport\.json: line 1"):
        read_transport(tmp_path, DEPARTMENTS)
