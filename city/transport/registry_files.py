"""The transport registry's files, read and checked before anything is written (渣土运输登记文件).

``companies.csv`` (code,name,credit_code,contact,phone,active), ``vehicles.csv`` (plate,company_code,device_id,
active), ``sites.geojson`` and ``permits.geojson`` (``city.transport.registry_geojson``). A load may hold any of
them. Every problem is collected, not only the first, as ``"<file>: row <N>: <field>"`` → message: a CSV row is its
line in the file (the header is row 1), a GeoJSON row is its feature (the first is row 1). The load as a whole —
references between files and to the stored rows — is ``city.transport.registry_checks``'s."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from city.registry_files_common import (
    CODE,
    PHONE,
    Problems,
    check_code,
    flag,
    no_repeats,
    read_csv_rows,
)

COMPANIES, VEHICLES, SITES, PERMITS = "companies.csv", "vehicles.csv", "sites.geojson", "permits.geojson"
FILE_NAMES = (COMPANIES, VEHICLES, SITES, PERMITS)
REGISTRIES = tuple(name.split(".")[0] for name in FILE_NAMES)  # companies, vehicles, sites, permits
MAX_FILE_CHARS = 20_000_000
MAX_ROWS = 50_000
# 闽E12345, 闽EF12345 (new energy), 闽E1234挂 (trailer): a province, the city's letter, 4–6 letters or digits
PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fff]?$")
DEVICE = re.compile(r"^[!-~]{1,64}$")  # printable ASCII, no spaces: as the GPS platforms send it
CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")  # 统一社会信用代码
COLUMNS = {COMPANIES: ("code", "name", "credit_code", "contact", "phone", "active"),
           VEHICLES: ("plate", "company_code", "device_id", "active")}
OPTIONAL = {"credit_code", "contact", "phone"}


@dataclass
class RegistryFiles:
    """The rows read from a load's files (each a dict with its ``row`` number), by registry."""

    companies: list[dict[str, Any]] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    sites: list[dict[str, Any]] = field(default_factory=list)
    permits: list[dict[str, Any]] = field(default_factory=list)


def _text(raw: dict[str, str], name: str, limit: int, say: Callable[[str, str], None], *,
          pattern: re.Pattern[str] | None = None, hint: str = "", optional: bool = False) -> str | None:
    """A cell stripped; a problem when it is missing (unless optional), too long or does not match."""
    value = (raw.get(name) or "").strip()
    if not value:
        if not optional:
            say(name, "missing")
        return None
    if len(value) > limit:
        say(name, f"at most {limit} characters")
    elif pattern is not None and not pattern.fullmatch(value):
        say(name, f"{value!r} is not {hint}")
    return value


def _company(raw: dict[str, str], say: Callable[[str, str], None]) -> dict[str, Any]:
    code = _text(raw, "code", 40, say)
    check_code(code, "code", say)
    return {"code": code, "name": _text(raw, "name", 200, say),
            "credit_code": _text(raw, "credit_code", 18, say, pattern=CREDIT_CODE, optional=True,
                                 hint="a unified social credit code (18 digits or capital letters)"),
            "contact": _text(raw, "contact", 100, say, optional=True),
            "phone": _text(raw, "phone", 40, say, pattern=PHONE, hint="a phone number", optional=True),
            "active": _active(raw, say)}


def _vehicle(raw: dict[str, str], say: Callable[[str, str], None]) -> dict[str, Any]:
    return {"plate": _text(raw, "plate", 20, say, pattern=PLATE, hint="a plate such as 闽E12345"),
            "company_code": _text(raw, "company_code", 40, say, pattern=CODE, hint="a company code"),
            "device_id": _text(raw, "device_id", 64, say, pattern=DEVICE,
                               hint="a device id (1–64 printable characters, no spaces)"),
            "active": _active(raw, say)}


def _active(raw: dict[str, str], say: Callable[[str, str], None]) -> bool:
    value = flag(raw.get("active") or "")
    if value is None:
        say("active", "must be 1, 0, true or false")
    return bool(value)


def read_csv(name: str, text: str, problems: Problems) -> list[dict[str, Any]]:
    """The rows of a registry CSV (``name``: companies.csv or vehicles.csv), each checked; keyed by line; a code
    (a plate, a device) once per file."""
    parse = _company if name == COMPANIES else _vehicle
    rows = read_csv_rows(name, text, problems, COLUMNS[name], OPTIONAL, lambda raw, say, _: parse(raw, say),
                         MAX_ROWS)
    no_repeats(name, rows, "code" if name == COMPANIES else "plate", problems)
    if name == VEHICLES:
        no_repeats(name, rows, "device_id", problems)
    return rows
