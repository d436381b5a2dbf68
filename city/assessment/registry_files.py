"""The assessment registry's files (考评登记文件), read and checked before anything is written: ``companies.csv``
(物业企业: code,name,contact_name,contact_phone,active) and ``objects.geojson`` (考评对象, ``registry_objects``);
``checklists.json`` is ``registry_checklists``'s. Problems are named as the transport registry names them:
``"<file>: row <N>: <field>"`` — a CSV row is its line (the header is row 1), a GeoJSON row its feature (the first is
row 1) — and collected, not only the first."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from city.transport.registry_files import CODE, PHONE, Problems, flag
from engine.domain.input_limits import text_problem

COMPANIES, OBJECTS, CHECKLISTS = "companies.csv", "objects.geojson", "checklists.json"
FILE_NAMES = (COMPANIES, OBJECTS, CHECKLISTS)
MAX_FILE_CHARS = 5_000_000  # the demo's 421 objects are 140 kB; a city's few thousand a few MB at most
MAX_ROWS = 20_000
COMPANY_COLUMNS = ("code", "name", "contact_name", "contact_phone", "active")
OPTIONAL = {"contact_name", "contact_phone", "active"}
Say = Callable[[str, str], None]
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # C0 controls and DEL: no name, address or label holds one

__all__ = ["CHECKLISTS", "CODE", "COMPANIES", "FILE_NAMES", "MAX_FILE_CHARS", "MAX_ROWS", "OBJECTS", "Problems",
           "RegistryFiles", "read_companies"]


@dataclass
class RegistryFiles:
    """The rows read from a load's files: companies and objects (dicts with their ``row``), checklists by
    scheme (``{name, items}``, items normalised: ``kinds`` and ``deductions`` always present)."""

    companies: list[dict[str, Any]] = field(default_factory=list)
    objects: list[dict[str, Any]] = field(default_factory=list)
    checklists: dict[str, dict[str, Any]] = field(default_factory=dict)


def control_problem(text: str) -> str | None:
    """Why a name, address or label cannot be kept (a control character: NUL, tab, newline, ESC …; an unpaired
    surrogate), or None."""
    if CONTROL.search(text):
        return "must not contain control characters (NUL, tab, newline, ESC …)"
    return text_problem(text)


def text_cell(raw: dict[str, Any], name: str, limit: int, say: Say, *, optional: bool = False) -> str | None:
    """A cell stripped; a problem when it is not text, missing (unless optional), longer than ``limit`` or holds
    a control character."""
    value = raw.get(name)
    if value is not None and not isinstance(value, str):
        say(name, "must be text")
        return None
    value = (value or "").strip()
    if not value:
        if not optional:
            say(name, "missing")
        return None
    if len(value) > limit:
        say(name, f"at most {limit} characters")
    elif (problem := control_problem(value)) is not None:
        say(name, problem)
    return value


def _company(raw: dict[str, str], say: Say, stated: bool) -> dict[str, Any]:
    """One company row checked; ``active`` None when the file has no such column (a stored row keeps its own)."""
    code = text_cell(raw, "code", 40, say)
    if code is not None and not CODE.fullmatch(code):
        say("code", f"{code!r} is not a code (1–40 letters, digits, '_' or '-')")
    phone = text_cell(raw, "contact_phone", 40, say, optional=True)
    if phone is not None and not PHONE.fullmatch(phone):
        say("contact_phone", f"{phone!r} is not a phone number")
    active = flag(raw.get("active") or "1") if stated else None  # an empty cell: active
    if stated and active is None:
        say("active", "must be 1, 0, true or false")
    return {"code": code, "name": text_cell(raw, "name", 200, say),
            "contact_name": text_cell(raw, "contact_name", 100, say, optional=True), "contact_phone": phone,
            "active": None if not stated else bool(active)}


def read_companies(text: str, problems: Problems) -> list[dict[str, Any]]:
    """The rows of ``companies.csv``, each checked; a code once per file. Any newline (CR LF, LF, a lone CR) ends a
    line; a malformed row (an unterminated quote, a field beyond the csv module's limit) is a problem naming it;
    ``active`` is None on every row when the file has no such column."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.DictReader(io.StringIO(lines), strict=True)
    try:
        return _company_rows(reader, problems)
    except csv.Error as exc:
        too_large = "field larger than field limit" in str(exc)
        problems.add(COMPANIES, reader.reader.line_num or 1, "row", f"a field longer than {csv.field_size_limit():,}"
                     " characters" if too_large else f"not readable CSV: {exc}")
        return []


def _company_rows(reader: csv.DictReader[str], problems: Problems) -> list[dict[str, Any]]:
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in COMPANY_COLUMNS if c not in header and c not in OPTIONAL]
    unknown = [c for c in header if c not in COMPANY_COLUMNS]
    if missing or unknown or not header:
        problems.add(COMPANIES, 1, "header", f"columns must be {','.join(COMPANY_COLUMNS)}"
                     + (f"; missing {', '.join(missing)}" if missing else "")
                     + (f"; unknown {', '.join(unknown)}" if unknown else ""))
        return []
    rows: list[dict[str, Any]] = []
    for raw in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            problems.add(COMPANIES, line, "rows", f"at most {MAX_ROWS} rows in a file")
            break

        def say(column: str, message: str, line: int = line) -> None:
            problems.add(COMPANIES, line, column, message)

        if None in raw:
            say("columns", f"more values than the header's {len(header)} columns")
        rows.append({"row": line, **_company({k: v for k, v in raw.items() if k is not None}, say,
                                             "active" in header)})
    unique_codes(COMPANIES, rows, "code", problems)
    return rows


def unique_codes(name: str, rows: list[dict[str, Any]], key: str, problems: Problems,
                 group: Callable[[dict[str, Any]], Any] = lambda row: None) -> None:
    """A value of ``key`` once per file (per ``group``, e.g. per scheme): a later row repeating it is a problem
    naming the first."""
    first: dict[tuple[Any, Any], int] = {}
    for row in rows:
        value = row.get(key)
        if value is None:
            continue
        seen = (group(row), value)
        if seen in first:
            problems.add(name, row["row"], key, f"{value!r} repeats row {first[seen]}")
        else:
            first[seen] = row["row"]
