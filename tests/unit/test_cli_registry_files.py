"""The command line reads both registries' files alike: a BOM (Excel's) dropped, a folder's files by name."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from cli.assessment_registry import registry_files as assessment_files
from cli.transport import registry_files as transport_files

SITES = {"type": "FeatureCollection", "features": []}


def test_a_transport_geojson_saved_with_a_bom_is_read_without_it(tmp_path: Path) -> None:
    (tmp_path / "sites.geojson").write_text("\ufeff" + json.dumps(SITES), "utf-8")
    files = transport_files((tmp_path,))
    assert json.loads(files["sites.geojson"]) == SITES


def test_an_assessment_folder_yields_its_files_by_name_and_a_name_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "companies.csv").write_text("\ufeffcode,name\nWY01,漳州物业\n", "utf-8")
    (tmp_path / "other.txt").write_text("not a registry file", "utf-8")
    assert assessment_files((tmp_path,)) == {"companies.csv": "code,name\nWY01,漳州物业\n"}
    with pytest.raises(click.UsageError, match=r"companies\.csv is named twice"):
        assessment_files((tmp_path, tmp_path / "companies.csv"))


def test_a_folder_without_registry_files_and_a_file_not_utf8_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(click.UsageError, match="holds none of"):
        transport_files((tmp_path,))
    (tmp_path / "vehicles.csv").write_bytes(b"plate\n\xff\xfe\n")
    with pytest.raises(click.UsageError, match="not UTF-8 text"):
        transport_files((tmp_path / "vehicles.csv",))
