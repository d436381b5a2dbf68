"""The transport registry's files, read and checked before anything is written (渣土运输登记文件).

``companies.csv`` (code,name,credit_code,contact,phone,active), ``vehicles.csv`` (plate,company_code,device_id,
active), ``sites.geojson`` and ``permits.geojson`` (``city.transport.registry_geojson``). A load may hold any of
them. Every problem is collected, not only the first, as ``"<file>: row <N>: <field>"`` → message: a CSV row is its
line in the file (the header is row 1), a GeoJSON row is its feature (the first is row 1). The load as a whole —
references between files and to the stored rows — is ``city.transport.registry_checks``'s."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

COMPANIES, VEHICLES, SITES, PERMITS = "companies.csv", "vehicles.csv", "sites.geojson", "permits.geojson"
FILE_NAMES = (COMPANIES, VEHICLES, SITES, PERMITS)
REGISTRIES = tuple(name.split(".")[0] for name in FILE_NAMES)  # companies, vehicles, sites, permits
MAX_FILE_CHARS = 20_000_000
MAX_ROWS = 50_000
MAX_PROBLEMS = 100  # reported; the rest are counted
CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# 闽E12345, 闽EF12345 (new energy), 闽E1234挂 (trailer): a province, the city's letter, 4–6 letters or digits
PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fff]?$")
DEVICE = re.compile(r"^[!-~]{1,64}$")  # printable ASCII, no spaces: as the GPS platforms send it
CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")  # 统一社会信用代码
PHONE = re.compile(r"^[0-9+() -]{3,40}$")
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no")
COLUMNS = {COMPANIES: ("code", "name", "credit_code", "contact", "phone", "active"),
           VEHICLES: ("plate", "company_code", "device_id", "active")}
OPTIONAL = {"credit_code", "contact", "phone"}


class Problems:
    """Every problem of a load, keyed ``"<file>: row <N>: <field>"`` (the first message per key is kept)."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}
        self.count = 0

    def add(self, file: str, row: int | None, name: str, message: str) -> None:
        """One problem; ``row`` None: the file as a whole (its header, its JSON)."""
        key = f"{file}: {name}" if row is None else f"{file}: row {row}: {name}"
        if key not in self.found:
            self.count += 1
            if len(self.found) < MAX_PROBLEMS:
                self.found[key] = message

    def fields(self) -> dict[str, str]:
        """The problems as FieldsRejected's fields; past ``MAX_PROBLEMS``, one more entry counts the rest."""
        shown = dict(self.found)
        if self.count > len(shown):
            shown["files"] = f"{self.count - len(shown)} more problems not shown"
        return shown

    def lines(self) -> list[str]:
        """Each problem as ``"<file>: row <N>: <field>: <message>"``."""
        return [f"{key}: {message}" for key, message in self.fields().items()]


@dataclass
class RegistryFiles:
    """The rows read from a load's files (each a dict with its ``row`` number), by registry."""

    companies: list[dict[str, Any]] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    sites: list[dict[str, Any]] = field(default_factory=list)
    permits: list[dict[str, Any]] = field(default_factory=list)


def flag(value: str) -> bool | None:
    """1/0/true/false/yes/no (any case) as a bool; None when it is none of them."""
    lowered = value.strip().lower()
    return True if lowered in TRUE else False if lowered in FALSE else None


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
    code = _text(raw, "code", 40, say, pattern=CODE, hint="a code (1–40 letters, digits, '_' or '-')")
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
    """The rows of a registry CSV (``name``: companies.csv or vehicles.csv), each checked; keyed by line."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    wanted = COLUMNS[name]
    missing = [c for c in wanted if c not in header and c not in OPTIONAL]
    unknown = [c for c in header if c not in wanted]
    if missing or unknown or not header:
        problems.add(name, 1, "header", f"columns must be {','.join(wanted)}"
                     + (f"; missing {', '.join(missing)}" if missing else "")
                     + (f"; unknown {', '.join(unknown)}" if unknown else ""))
        return []
    parse = _company if name == COMPANIES else _vehicle
    rows: list[dict[str, Any]] = []
    for raw in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            problems.add(name, line, "rows", f"at most {MAX_ROWS} rows in a file")
            break

        def say(column: str, message: str, line: int = line) -> None:
            problems.add(name, line, column, message)

        if None in raw:
            say("columns", f"more values than the header's {len(header)} columns")
        rows.append({"row": line, **parse({k: v for k, v in raw.items() if k is not None}, say)})
    _no_repeats(name, rows, "code" if name == COMPANIES else "plate", problems)
    if name == VEHICLES:
        _no_repeats(name, rows, "device_id", problems)
    return rows


def _no_repeats(name: str, rows: list[dict[str, Any]], key: str, problems: Problems) -> None:
    """A value of ``key`` once per file: later rows repeating it are problems naming the first."""
    first: dict[str, int] = {}
    for row in rows:
        value = row.get(key)
        if value is None:
            continue
        if value in first:
            problems.add(name, row["row"], key, f"{value!r} repeats row {first[value]}")
        else:
            first[value] = row["row"]
