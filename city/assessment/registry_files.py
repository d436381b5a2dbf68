"""The assessment registry's files (考评登记文件), read and checked before anything is written: ``companies.csv``
(物业企业: code,name,contact_name,contact_phone,active) and ``objects.geojson`` (考评对象, ``registry_objects``);
``checklists.json`` is ``registry_checklists``'s. Problems are named as the transport registry names them:
``"<file>: row <N>: <field>"`` — a CSV row is its line (the header is row 1), a GeoJSON row its feature (the first is
row 1) — and collected, not only the first."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from city.registry_files_common import CODE, PHONE, Problems, check_code, flag, no_repeats, read_csv_rows
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
    check_code(code, "code", say)
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
    rows = read_csv_rows(COMPANIES, text, problems, COMPANY_COLUMNS, OPTIONAL,
                         lambda raw, say, header: _company(raw, say, "active" in header), MAX_ROWS)
    no_repeats(COMPANIES, rows, "code", problems)
    return rows
