"""An export record and an export file's document (the ``export`` of docs/exchange.schema.json)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from city.exchange.config import ExchangeConfig
from city.public.stage import public_stage
from engine.persistence.db import iso_utc

SCHEMA_VERSION = "1.0"
COUNTERS = ("reworks", "returns", "extensions", "suspensions", "overdue", "wrong_dispatches")
_TIMES = ("reported_at", "filed_at", "dispatched_at", "disposed_at", "closed_at", "due_at")
_TEXTS = ("channel", "close_type", "district", "resp_grid", "unit_grid", "department")


def _stage(fact: dict[str, Any]) -> str:
    """The public stage of a facts row (``city.public.stage.public_stage`` reads only these fields)."""
    view = SimpleNamespace(**{name: fact[name] for name in ("result", "disposed_at", "checked_at", "dispatched_at",
                                                            "filed_at")})
    return public_stage(view)  # type: ignore[arg-type]


def record(fact: dict[str, Any], config: ExchangeConfig) -> dict[str, Any]:
    """One case's export record from its facts row (``city.persistence.read.exchange``)."""
    stage = _stage(fact)
    found: dict[str, Any] = {"case_no": fact["case_no"], "national_code": config.national_code(fact["subtype"]),
                             "city_subtype": fact["subtype"], "stage": stage,
                             "stage_code": config.stage_codes[stage], "result": fact["result"],
                             "on_time": fact["closed_on_time"], "upper_id": fact["upper_id"],
                             "lon": fact["lon"], "lat": fact["lat"],
                             "counters": {name: int(fact[name] or 0) for name in COUNTERS}}
    found |= {name: iso_utc(fact[name]) for name in _TIMES}
    found |= {name: fact[name] for name in _TEXTS}
    return found


def document(config: ExchangeConfig, seq: int, since: datetime | None, until: datetime, now: datetime,
             records: list[dict[str, Any]]) -> dict[str, Any]:
    """An export file's content."""
    header = {"schema_version": SCHEMA_VERSION, "platform_code": config.platform_code,
              "city_code": config.city_code, "seq": seq, "since": iso_utc(since), "until": iso_utc(until),
              "generated_at": iso_utc(now), "count": len(records)}
    return {"header": header, "records": records}


def encoded(content: dict[str, Any]) -> tuple[bytes, str]:
    """The file's bytes (UTF-8 JSON, keys sorted) and their sha256."""
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return data, hashlib.sha256(data).hexdigest()


def file_name(config: ExchangeConfig, seq: int) -> str:
    """``<platform>_<city>_<seq:06d>.json``."""
    return f"{config.file_prefix()}_{seq:06d}.json"
