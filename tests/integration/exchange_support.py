"""The exchange tests' app: the seeded city's API on a fake clock that starts after every change the module's
earlier tests made (so a test's own connector sees only its own cases once it exported the past), an upper_level
connector of the test's own with its folders under the test's tmp path, and the files it writes read back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from api_support import POINT, Api
from jsonschema import Draft202012Validator

from city.bootstrap import bootstrap
from city.exchange.commands import ReadExchangeInbox, RunExchangeExport
from city.exchange.schema import format_checker
from engine.domain.clock import FakeClock
from web.app import create_app
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs/exchange.schema.json").read_text(encoding="utf-8"))
STAGE_CODES = {"received": "01", "filed": "02", "dispatched": "03", "disposed": "04", "closed": "05", "voided": "09"}


def config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    """An upper_level configuration with its folders under ``tmp_path``: identity codes but 0601 → null."""
    return {"platform_code": "FJSZCG", "city_code": "350600", "outbox_dir": str(tmp_path / "outbox"),
            "inbox_dir": str(tmp_path / "inbox"), "every_minutes": 15, "settle_seconds": 0,
            "national_codes": {"identity": True, "map": {"0602": None}}, "stage_codes": STAGE_CODES, **overrides}


def _latest_change(api: Api) -> datetime:
    with api.deps.db.connect() as conn:
        found = conn.execute(sa.text("SELECT MAX(updated_at) FROM case_facts")).scalar_one()
    if found is None:
        return datetime.now(UTC)
    moment = found if isinstance(found, datetime) else datetime.fromisoformat(str(found))
    return max(datetime.now(UTC), moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def exchange_api(city: str, tmp_path: Path) -> Iterator[Api]:
    """The app over the module's city on a fake clock (``api.clock``) an hour after its latest change."""
    api = Api(city, tmp_path)
    start = _latest_change(api) + timedelta(hours=1)
    api.close()
    clock = FakeClock(start)
    api.clock = clock  # type: ignore[attr-defined]
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": city, "GRIDCASE_ATTACHMENTS_DIR": str(tmp_path / "att"),
                                  "GRIDCASE_SECRET_KEY": "test"})
    api.app = create_app(settings, bootstrap(city, clock, working_time=settings.working_time()))
    api.client = api.app.test_client()
    yield api
    api.close()


def add_connector(api: Api, code: str, tmp_path: Path, *, active: bool = True, **overrides: Any) -> dict[str, Any]:
    """Keep an upper_level connector ``code`` (its folders under ``tmp_path``); its configuration."""
    found = config(tmp_path, **overrides)
    with api.deps.db.begin() as conn:  # as the connectors' file load would (LoadConnectors, city.connectors)
        conn.execute(sa.text("INSERT INTO connector_configs (code, kind, name, config_json, active, version,"
                             " loaded_at, loaded_by) VALUES (:code, 'upper_level', :name, :config, :active, 1, :now,"
                             " 'tests')"), {"code": code, "name": f"platform {code}", "config": json.dumps(found),
                                            "active": active, "now": api.deps.clock.now()})
    return found


def export(api: Api, code: str) -> dict[str, Any]:
    """RunExchangeExport by the tests."""
    result: dict[str, Any] = api.bus.handle(RunExchangeExport(code, "admin"))
    return result


def inbox(api: Api, code: str) -> dict[str, Any]:
    """ReadExchangeInbox by the tests."""
    result: dict[str, Any] = api.bus.handle(ReadExchangeInbox(code, "admin"))
    return result


def baseline(api: Api, code: str, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    """A connector that has exported everything before the test (the module's other cases), clock moved on."""
    found = add_connector(api, code, tmp_path, **overrides)
    export(api, code)
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    return found


def outbox_files(tmp_path: Path) -> list[Path]:
    """The export files the platform sees (no temporary ones), by name."""
    folder = tmp_path / "outbox"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def read_export(path: Path) -> dict[str, Any]:
    """An export file, checked against docs/exchange.schema.json's ``export`` (its times too: the format checker is
    gridcase's, jsonschema checks date-time only with a package gridcase does not install)."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    validator = Draft202012Validator({**SCHEMA, "$ref": "#/$defs/export"}, format_checker=format_checker())
    errors = [error.message for error in validator.iter_errors(document)]
    assert not errors, errors
    return document


def drop(tmp_path: Path, name: str, content: Any) -> Path:
    """Put a file into the inbox as the platform would (``content``: bytes, or JSON-ready data)."""
    folder = tmp_path / "inbox"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content, ensure_ascii=False).encode())
    return path


def report(api: Api, subtype: str = "0601", east: float = 0.0) -> str:
    """A hotline report (its case number)."""
    return api.new_case("seat01", subtype_code=subtype, lon=POINT["lon"] + east)


def rows(api: Api, sql: str, **params: Any) -> list[Any]:
    with api.deps.db.connect() as conn:
        return list(conn.execute(sa.text(sql), params))
