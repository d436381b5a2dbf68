"""The upper-level exchange's configuration check (city.exchange.config)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from city.exchange.config import ExchangeConfig, config_problems, folder

ROOT = Path(__file__).resolve().parents[2]


def _example() -> dict[str, Any]:
    connectors = json.loads((ROOT / "config/connectors/upper_level.example.json").read_text(encoding="utf-8"))
    found = [c for c in connectors["connectors"] if c["kind"] == "upper_level"]
    return dict(found[0]["config"])


def test_the_example_is_valid() -> None:
    assert config_problems(_example()) == {}


def test_every_field_at_fault_is_named() -> None:
    bad = {"platform_code": "a b", "city_code": "３５０６００", "outbox_dir": "", "inbox_dir": "in\x00",
           "every_minutes": True, "max_records": 0, "national_codes": {"map": {"12": "x"}},
           "stage_codes": {"closed": "x y", "bogus": "1"}}
    problems = config_problems(bad)
    for field in ("platform_code", "city_code", "outbox_dir", "inbox_dir", "every_minutes", "max_records",
                  "national_codes.map", "stage_codes.closed", "stage_codes.received", "stage_codes"):
        assert field in problems, field
    assert config_problems([]) == {"config": "an object"}  # type: ignore[arg-type]


def test_national_codes_identity_with_exceptions() -> None:
    config = ExchangeConfig.of("up", _example() | {"national_codes": {"identity": True,
                                                                       "map": {"1201": None, "1202": "0601"}}})
    assert config.national_code("0101") == "0101"
    assert config.national_code("1201") is None
    assert config.national_code("1202") == "0601"
    assert config.subtypes_of("0601", {"0601", "1202", "0101"}) == ["0601", "1202"]  # ambiguous: two
    assert config.subtypes_of("0101", {"0601", "1202", "0101"}) == ["0101"]
    assert config.subtypes_of("1201", {"1201"}) == []


def test_relative_folders_follow_the_data_dir(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("GRIDCASE_DATA_DIR", str(tmp_path))
    assert folder("exchange/out") == tmp_path / "exchange/out"
    assert folder("/abs/out") == Path("/abs/out")
    same = _example() | {"outbox_dir": "x", "inbox_dir": str(tmp_path / "x")}
    assert "inbox_dir" in config_problems(same)


def test_unknown_keys_are_refused_by_path_with_the_keys_allowed() -> None:
    problems = config_problems(_example() | {"every_minute": 5, "national_codes": {"identity": True, "mapp": {}}})
    assert problems["every_minute"].startswith("unknown key; the keys are platform_code, city_code")
    assert "every_minutes" in problems["every_minute"]
    assert problems["national_codes"] == "unknown keys: mapp; the keys are identity, map"


def test_a_secret_in_the_configuration_is_refused() -> None:
    # a stored configuration is shown to shift leads (GET /api/v1/connectors): a secret must never be kept there
    problems = config_problems(_example() | {"secret": "s3cr3t-value", "api_key": "k", "ftp_password": "p"})
    assert set(problems) == {"secret", "api_key", "ftp_password"}
    assert all(message.startswith("secrets are never in the configuration") for message in problems.values())
    assert not any("s3cr3t" in message for message in problems.values())


def test_relative_folders_default_to_the_projects_var_folder(monkeypatch: Any, tmp_path: Path) -> None:
    # Unset, the data folder is the project's var/ (as attachments), not whatever directory the process started in.
    monkeypatch.delenv("GRIDCASE_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    project = Path(__file__).resolve().parents[2]
    assert folder("exchange/out") == project / "var" / "exchange/out"
