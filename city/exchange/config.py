"""The upper-level platform's configuration (a ``connector_configs`` row of kind ``upper_level``; docs/exchange.md).

``config_problems`` is the one check (the connectors' loader calls it for each ``upper_level`` connector);
``ExchangeConfig.of`` reads a checked configuration for the export, the inbox and the scheduler.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from city.public.stage import STAGES
from engine.domain.input_limits import text_problem

CODE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")  # platform code: it is part of every file name
CITY_CODE = re.compile(r"^[0-9]{6}$")  # 行政区划代码, ASCII digits only
SUBTYPE = re.compile(r"^[0-9]{4}$")
NATIONAL = re.compile(r"^[0-9]{4,10}$")  # 国标 部件/事件 class codes
STATUS = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
DEFAULT_MAX_RECORDS, MAX_MAX_RECORDS = 5000, 50000
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024  # an inbound file larger than this is refused unread
DEFAULT_SETTLE_SECONDS = 60  # the export stops this far before now: transactions in flight have committed
DATA_DIR_ENV = "GRIDCASE_DATA_DIR"
# Unset, relative folders live in the project's var/ (as attachments do: web/settings.py), never in the cwd of
# whichever process (web, scheduler, CLI) happened to start where: they must all see the same folders.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "var"
KEYS = ("platform_code", "city_code", "outbox_dir", "inbox_dir", "every_minutes", "max_records", "max_file_bytes",
        "settle_seconds", "national_codes", "stage_codes")
_SECRET_LIKE = re.compile(r"secret|passw|token|credential|api_?key|private", re.IGNORECASE)
_INTEGER_BOUNDS = {"every_minutes": (1, 7 * 24 * 60), "max_records": (1, MAX_MAX_RECORDS),
                   "max_file_bytes": (1024, 512 * 1024 * 1024), "settle_seconds": (0, 3600)}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(config: dict[str, Any], name: str, pattern: re.Pattern[str], what: str) -> dict[str, str]:
    value = config.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        return {name: what}
    return {}


def _dir_problem(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        return {name: "a folder path (1–500 characters)"}
    problem = text_problem(value)
    return {name: problem} if problem else {}


def _national_problems(value: Any) -> dict[str, str]:
    """``national_codes``: ``{"identity": bool, "map": {subtype: national code or null}}``."""
    if not isinstance(value, dict):
        return {"national_codes": "an object {identity, map}"}
    problems: dict[str, str] = {}
    unknown = sorted(set(value) - {"identity", "map"})
    if unknown:
        problems["national_codes"] = ("unknown keys: " + ", ".join(str(key)[:40] for key in unknown[:5])
                                      + "; the keys are identity, map")
    if not isinstance(value.get("identity", False), bool):
        problems["national_codes.identity"] = "true or false"
    mapping = value.get("map", {})
    if not isinstance(mapping, dict):
        return problems | {"national_codes.map": "an object: subtype code → national code (or null)"}
    for subtype, code in list(mapping.items())[:10000]:
        if not isinstance(subtype, str) or not SUBTYPE.fullmatch(subtype):
            problems["national_codes.map"] = f"{str(subtype)[:20]!r} is not a 4-digit subtype code"
        elif code is not None and (not isinstance(code, str) or not NATIONAL.fullmatch(code)):
            problems[f"national_codes.map.{subtype}"] = "a national code (4–10 ASCII digits) or null"
    if not value.get("identity", False) and not mapping:
        problems.setdefault("national_codes", "identity true or a map of at least one subtype")
    return problems


def _stage_problems(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {"stage_codes": "an object: stage → the platform's status code"}
    problems = {f"stage_codes.{stage}": "the platform's status code (1–20 letters, digits, _ or -)"
                for stage in STAGES if not isinstance(value.get(stage), str) or not STATUS.fullmatch(value[stage])}
    extra = sorted(str(key)[:20] for key in value if key not in STAGES)
    if extra:
        problems["stage_codes"] = "unknown stages: " + ", ".join(extra[:5]) + "; stages: " + ", ".join(STAGES)
    return problems


def _unknown_problems(config: dict[str, Any]) -> dict[str, str]:
    """A key gridcase does not read is a typo (``every_minute`` would leave the default unnoticed) or a secret that
    would be stored and shown with the configuration: both refused, named by their path."""
    problems = {}
    for key in sorted(str(key) for key in config if key not in KEYS)[:10]:
        name = key[:40]
        problems[name] = ("secrets are never in the configuration (the upper-level exchange needs none): remove it"
                          if _SECRET_LIKE.search(key) else "unknown key; the keys are " + ", ".join(KEYS))
    return problems


def config_problems(config: dict[str, Any]) -> dict[str, str]:
    """What is wrong with an upper_level connector's configuration, by field (``{}``: nothing). The connectors'
    loader (``city.connectors``) calls it for each connector of kind ``upper_level``."""
    if not isinstance(config, dict):
        return {"config": "an object"}
    problems = _text(config, "platform_code", CODE, "1–30 letters, digits, _ or - (it is part of file names)")
    problems |= _text(config, "city_code", CITY_CODE, "the 6-digit administrative division code, e.g. 350600")
    for name in ("outbox_dir", "inbox_dir"):
        problems |= _dir_problem(config.get(name), name)
    if not problems and folder(config["outbox_dir"]) == folder(config["inbox_dir"]):
        problems["inbox_dir"] = "must not be the outbox folder"
    for name, (low, high) in _INTEGER_BOUNDS.items():
        value = config.get(name)
        required = name == "every_minutes"
        if (value is None and required) or (value is not None and (not _is_int(value) or not low <= value <= high)):
            problems[name] = f"a whole number from {low} to {high}"
    problems |= _national_problems(config.get("national_codes")) | _stage_problems(config.get("stage_codes"))
    return problems | _unknown_problems(config)


def folder(path: str) -> Path:
    """A configured folder: absolute as given, else relative to ``GRIDCASE_DATA_DIR`` (the project's ``var/`` when
    unset)."""
    given = Path(path)
    if given.is_absolute():
        return given
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR) / given


@dataclass(frozen=True)
class ExchangeConfig:
    """A checked upper_level configuration."""

    code: str
    platform_code: str
    city_code: str
    outbox: Path
    inbox: Path
    every_minutes: int
    stage_codes: dict[str, str]
    identity: bool = False
    national_map: dict[str, str | None] = field(default_factory=dict)
    max_records: int = DEFAULT_MAX_RECORDS
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    settle_seconds: int = DEFAULT_SETTLE_SECONDS

    @classmethod
    def of(cls, code: str, config: dict[str, Any]) -> ExchangeConfig:
        """The configuration of connector ``code`` (checked by ``config_problems`` first: ValueError if not)."""
        problems = config_problems(config)
        if problems:
            raise ValueError(f"connector {code}: " + "; ".join(f"{k}: {v}" for k, v in sorted(problems.items())))
        national = config["national_codes"]
        return cls(code, config["platform_code"], config["city_code"], folder(config["outbox_dir"]),
                   folder(config["inbox_dir"]), config["every_minutes"], dict(config["stage_codes"]),
                   bool(national.get("identity", False)), dict(national.get("map", {})),
                   config.get("max_records", DEFAULT_MAX_RECORDS),
                   config.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES),
                   config.get("settle_seconds", DEFAULT_SETTLE_SECONDS))

    def national_code(self, subtype: str | None) -> str | None:
        """The national code of a city subtype (None: it has none — exported as null and listed on the batch)."""
        if subtype is None:
            return None
        if subtype in self.national_map:
            return self.national_map[subtype]
        return subtype if self.identity else None

    def subtypes_of(self, national: str, catalogue: set[str]) -> list[str]:
        """The city subtypes (of ``catalogue``) whose national code is ``national``: one, none or (ambiguous)
        several."""
        return sorted(code for code in catalogue if self.national_code(code) == national)

    def file_prefix(self) -> str:
        """``<platform>_<city>``: the start of every file name of this exchange."""
        return f"{self.platform_code}_{self.city_code}"
