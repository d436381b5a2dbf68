"""What the registries' load files share (the transport registry's 渣土运输 files and the assessment registry's 考评
files): the problems of a load keyed ``"<file>: row <N>: <field>"``, a CSV reader taking each registry's row parser,
the one-value-per-file check, the code check and the GeoJSON cell helpers (the FeatureCollection, a feature's
properties, a geometry checked with shapely inside the city's box, its size)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from typing import Any

MAX_PROBLEMS = 100  # reported; the rest are counted
MAX_FEATURES = 50_000  # the GeoJSON parser's bound; a registry may keep a tighter one
MAX_DEPTH = 32  # a MultiPolygon's coordinates nest 4 deep in a feature 3 deep: far deeper is not a registry file
CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
PHONE = re.compile(r"^[0-9+() -]{3,40}$")
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no")
WORLD = (-180.0, -90.0, 180.0, 90.0)
Say = Callable[[str, str], None]
Box = tuple[float, float, float, float]
RowParser = Callable[[dict[str, str], Say], dict[str, Any]]


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


def flag(value: Any) -> bool | None:
    """1/0/true/false/yes/no (text in any case, or the numbers 1 and 0) as a bool; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    lowered = value.strip().lower() if isinstance(value, str) else None
    return True if lowered in TRUE else False if lowered in FALSE else None


def code_problem(value: Any) -> str:
    """The problem of a value that is not a code (``CODE``)."""
    return f"{value!r} is not a code (1–40 letters, digits, '_' or '-')"


def row_sayer(name: str, row: int, problems: Problems) -> Say:
    """A ``say(field, message)`` adding the problems of one row of the file ``name``."""
    def say(key: str, message: str) -> None:
        problems.add(name, row, key, message)
    return say


def no_repeats(name: str, rows: list[dict[str, Any]], key: str, problems: Problems,
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


def read_csv_rows(name: str, text: str, problems: Problems, columns: tuple[str, ...], optional: Iterable[str],
                  parse: Callable[[dict[str, str], Say, list[str]], dict[str, Any]],
                  max_rows: int) -> list[dict[str, Any]]:
    """The rows of a registry CSV, each ``{row, **parse(cells, say, header)}`` (row: its line; the header is 1).
    Any newline (CR LF, LF, a lone CR) ends a line; a BOM is dropped; a malformed row (an unterminated quote, a
    field beyond the csv module's limit) is a problem naming it, as is a header with missing or unknown columns."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.DictReader(io.StringIO(lines), strict=True)
    try:
        return _rows(name, reader, problems, columns, set(optional), parse, max_rows)
    except csv.Error as exc:
        too_large = "field larger than field limit" in str(exc)
        problems.add(name, reader.reader.line_num or 1, "row", f"a field longer than {csv.field_size_limit():,}"
                     " characters" if too_large else f"not readable CSV: {exc}")
        return []


def _rows(name: str, reader: csv.DictReader[str], problems: Problems, columns: tuple[str, ...], optional: set[str],
          parse: Callable[[dict[str, str], Say, list[str]], dict[str, Any]], max_rows: int) -> list[dict[str, Any]]:
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c not in columns]
    if missing or unknown or not header:
        problems.add(name, 1, "header", f"columns must be {','.join(columns)}"
                     + (f"; missing {', '.join(missing)}" if missing else "")
                     + (f"; unknown {', '.join(unknown)}" if unknown else ""))
        return []
    rows: list[dict[str, Any]] = []
    for raw in reader:
        line = reader.line_num
        if len(rows) >= max_rows:
            problems.add(name, line, "rows", f"at most {max_rows} rows in a file")
            break
        say = row_sayer(name, line, problems)
        if None in raw:
            say("columns", f"more values than the header's {len(header)} columns")
        rows.append({"row": line, **parse({k: v for k, v in raw.items() if k is not None}, say, header)})
    return rows


def check_code(value: str | None, key: str, say: Say) -> None:
    """A problem when a cell read (``value``, None: already refused) is not a code."""
    if value is not None and not CODE.fullmatch(value):
        say(key, code_problem(value))
