"""A city package's emergency declaration defaults (``emergency_defaults.json``): optional, checked, kept whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from city.package.extras import EMERGENCY_DEFAULTS, emergency_extra, read_emergency
from city.package.format import PackageError

DEMO = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou" / "emergency_defaults.json"


def test_a_package_without_the_file_has_no_defaults() -> None:
    assert emergency_extra(None) == ()


def test_the_demo_citys_defaults_are_kept_whole() -> None:
    raw = json.loads(DEMO.read_text(encoding="utf-8"))
    [(kind, code, data)] = emergency_extra(raw)
    assert (kind, code) == EMERGENCY_DEFAULTS
    assert json.loads(data) == raw
    assert len(raw["teams"]) > 5 and raw["ack_within_minutes"] == 20


@pytest.mark.parametrize(("raw", "named"), [
    ([], "top level"),
    ({"teams": {}}, "'teams'"),
    ({"teams": ["collectors"]}, "every team"),
    ({"signal_kinds": "04"}, "'signal_kinds'"),
    ({"area": ["350602"]}, "'area'"),
    ({"assembly_point": "centre"}, "'assembly_point'"),
    ({"ack_within_minutes": 0}, "'ack_within_minutes'"),
    ({"ack_within_minutes": True}, "'ack_within_minutes'"),
    ({"ack_within_minutes": "20"}, "'ack_within_minutes'"),
])
def test_bad_defaults_are_refused_naming_the_key(raw: Any, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        emergency_extra(raw)


def test_a_package_file_refused_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "emergency_defaults.json").write_text('{"teams": 3}', encoding="utf-8")
    with pytest.raises(PackageError, match=r"^emergency_defaults\.json: 'teams' must be a list"):
        read_emergency(tmp_path)
    (tmp_path / "emergency_defaults.json").write_text("{bad", encoding="utf-8")
    with pytest.raises(PackageError, match=r"^emergency_defaults\.json: line 1"):
        read_emergency(tmp_path)
    (tmp_path / "emergency_defaults.json").unlink()
    assert read_emergency(tmp_path) == ()
