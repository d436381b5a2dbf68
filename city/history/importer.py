"""Imported history: ended cases of the years before gridcase, kept read-only as case facts.

A CSV file (format: docs/history.md) is read as a stream; each row is checked on its own (a bad row is reported
with its line number and skipped), and every batch of good rows is one ``ImportHistory`` command — one transaction
that writes the facts and their per-month counts together, or nothing. The case number is the key: a number
already imported is present (the same file twice adds nothing), a live case's number is refused, and a number
twice in one file is refused the second time. Open cases' rows go to the live lifecycle (``city.cutover``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from city import commands as city_commands
from city.facts.model import COUNTERS, CaseFacts
from city.history.csvfile import HistoryFileError, RowError, check_controls, lines, records
from city.history.statistics import refresh_fact_statistics, refresh_statistics  # noqa: F401  (bootstrap's import)
from city.persistence.repositories.fact_rows import FactRow
from city.persistence.repositories.facts import FactStore
from city.persistence.repositories.imported_cases import ImportedCaseStore
from engine.persistence.db import as_utc
from engine.service.bus import HandlerContext, MessageBus

if TYPE_CHECKING:
    from city.cutover.batches import OpenImport
    from city.history.mapping import Mapping, RowPreparer

TIMES = ("reported_at", "verified_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at", "due_at")
ROLES = ("verifier", "dispatcher", "checker")
OPEN_COLUMNS = ("description", "urgency", "assignee", "step_due_at")  # an open case's (city/cutover/rows.py)
COLUMNS = ("case_no", "reported_at", "channel", "subtype", "district", "resp_grid", "unit_grid", "lon", "lat",
           "department", "returned_by", "reporter", *ROLES, *TIMES[1:], "result", "void_reason", "close_type",
           "closed_on_time", *COUNTERS)
ALL_COLUMNS = (*COLUMNS, *OPEN_COLUMNS)  # what a file may hold: history's columns and an open case's
REQUIRED = ("case_no", "reported_at", "result")
# An open case's step (``result``): it is imported into the live lifecycle, waiting there (city/cutover).
OPEN_STEPS = ("reported", "filing", "dispatch", "disposal", "check", "closing")
CHANNELS = frozenset({"patrol", "census", "video", "hotline", "wechat", "public_opinion", "petition", "media",
                      "leadership", "transfer"})
RESULTS = frozenset({"closed", "voided"})  # history holds ended cases
# The stored columns' widths (migrations 0008, 0012): PostgreSQL would refuse a longer value and fail the batch.
WIDTHS = {"channel": 30, "subtype": 10, "district": 20, "resp_grid": 30, "unit_grid": 40, "department": 30,
          "returned_by": 30, "reporter": 100, "verifier": 100, "dispatcher": 100, "checker": 100, "void_reason": 20,
          "close_type": 10}
CASE_NO = re.compile(r"^[0-9A-Za-z_-]{1,24}$")
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
MAX_ERRORS = 20  # kept with their messages; all are counted


@dataclass
class ImportSummary:
    """What an import did: rows imported, already present, bad (the first ``MAX_ERRORS`` with their lines)."""

    imported: int = 0
    present: int = 0
    open: dict[str, int] = field(default_factory=dict)  # open cases imported into the lifecycle, by step
    overdue: int = 0  # of those, the ones whose waiting step's legacy deadline had passed at the import
    bad: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0

    def refuse(self, line: int, message: str) -> None:
        """Count a bad row; keep its message while there are fewer than ``MAX_ERRORS``."""
        self.bad += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))

    def to_dict(self) -> dict[str, Any]:
        errors = [{"line": line, "message": message} for line, message in self.errors]
        return {"rows": self.rows, "imported": self.imported, "imported_open": dict(self.open),
                "already_overdue": self.overdue,
                "already_present": self.present, "bad_rows": self.bad, "errors": errors}


def _time(name: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"{name}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise RowError(f"{name}: {text!r} has no UTC offset (write e.g. 2024-03-05T09:30:00+08:00)")
    return moment


def _number(name: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{name}: {text!r} is not a number") from None
    if not low <= value <= high:
        raise RowError(f"{name}: {value} is outside {low}..{high}")
    return value


def _count(name: str, text: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise RowError(f"{name}: {text!r} is not a whole number ≥ 0")
    return int(text)


@dataclass(frozen=True)
class Codes:
    """The loaded city's code lists a row is checked against (no subtypes: any subtype is accepted)."""

    subtypes: frozenset[str] = frozenset()
    channels: frozenset[str] = CHANNELS


def _text_fields(row: dict[str, str], codes: Codes) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, width in WIDTHS.items():
        value = row.get(name) or None
        if value is not None and len(value) > width:
            raise RowError(f"{name}: longer than {width} characters")
        out[name] = value
    if out["channel"] is not None and out["channel"] not in codes.channels:
        raise RowError(f"channel: unknown channel {out['channel']!r}")
    if out["subtype"] is not None and codes.subtypes and out["subtype"] not in codes.subtypes:
        raise RowError(f"subtype: unknown subtype {out['subtype']!r}")
    return out


def parse_row(row: dict[str, str], codes: Codes = Codes()) -> tuple[str, CaseFacts, dict[str, str]]:
    """(case number, facts, roles) of one CSV row (values already stripped); ``RowError`` names the problem.

    ``codes``: the loaded city's subtypes and channels.
    """
    case_no = row.get("case_no") or ""
    if not CASE_NO.fullmatch(case_no):
        raise RowError(f"case_no: {case_no!r} is not 1-24 letters, digits, - or _" if case_no else "case_no: missing")
    times = {name: _time(name, row[name]) if row.get(name) else None for name in TIMES}
    if times["reported_at"] is None:
        raise RowError("reported_at: missing")
    result = row.get("result") or ""
    if result not in RESULTS:
        raise RowError(f"result: {result!r} is not closed, voided or an open case's step ({', '.join(OPEN_STEPS)})")
    if (ended := times["closed_at"]) is not None and ended < times["reported_at"]:
        raise RowError("closed_at: before reported_at")
    texts = _text_fields(row, codes)
    lon = _number("lon", row["lon"], -180, 180) if row.get("lon") else None
    lat = _number("lat", row["lat"], -90, 90) if row.get("lat") else None
    on_time = row.get("closed_on_time") or ""
    if on_time and on_time.lower() not in BOOLEANS:
        raise RowError(f"closed_on_time: {on_time!r} is not true or false")
    counters = {name: _count(name, row[name]) if row.get(name) else 0 for name in COUNTERS}
    roles = {name: value for name in ROLES if (value := texts.pop(name))}
    facts = CaseFacts(**times, **texts,  # type: ignore[arg-type]  # dict keys: the TIMES and WIDTHS fields
                      lon=lon, lat=lat, result=result,
                      closed_on_time=BOOLEANS[on_time.lower()] if on_time else None, counters=counters)
    return case_no, facts, roles


def import_history(cmd: city_commands.ImportHistory, ctx: HandlerContext) -> dict[str, Any]:
    """Store one batch of history rows (all or nothing): {imported, present, refused: [(line, message)]}."""
    stamp = cmd.imported_at.astimezone(UTC)
    with ctx.deps.uow() as uow:
        live, imported = uow.repository(FactStore).existing([row[1] for row in cmd.rows])
        live |= uow.repository(ImportedCaseStore).existing("legacy", [row[1] for row in cmd.rows])  # imported open
        fresh, refused, present = [], [], 0
        for line, number, facts, roles in cmd.rows:
            if number in live:
                refused.append((line, f"case_no: {number} is a live case; history cannot replace it"))
            elif number in imported and as_utc(imported[number]) == stamp:
                refused.append((line, f"case_no: {number} appears earlier in this file"))
            elif number in imported:
                present += 1
            else:
                fresh.append(FactRow(number, facts, source="history", roles=roles))
        uow.repository(FactStore).upsert(fresh, cmd.imported_at, new=True)
    return {"imported": len(fresh), "present": present, "refused": refused}


def _header(reader: Any, prepare: RowPreparer | None) -> list[str]:
    """The header line's columns, checked: gridcase's columns, or (``prepare``) the mapping's export columns."""
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise HistoryFileError("the file is empty (a header line is expected)") from None
    if prepare is not None:
        prepare.check_header(header)
        return header
    unknown = [name for name in header if name not in ALL_COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing:
        problems = ([f"unknown column(s) {', '.join(unknown)}"] if unknown else []) + \
                   ([f"missing column(s) {', '.join(missing)}"] if missing else [])
        raise HistoryFileError(f"header: {'; '.join(problems)} (columns: {', '.join(ALL_COLUMNS)})")
    if len(set(header)) != len(header):
        raise HistoryFileError("header: a column appears twice")
    return header


def known_codes(bus: MessageBus) -> Codes:
    """The catalogue's subtype codes (none when no catalogue is loaded: any subtype is accepted) and the city's
    channels (its package's, active or not: history holds reports of retired channels too)."""
    from city.package.profile import channel_codes

    with bus.deps.uow(read_only=True) as uow:
        return Codes(frozenset(uow.city.subtype_codes()), frozenset(channel_codes(uow.store, active_only=False)))


def import_file(bus: MessageBus, path: Path, batch: int = 2000, progress: Callable[[int], None] | None = None,
                mapping: Mapping | None = None, open_batch: int = 100) -> ImportSummary:
    """Import a history CSV file in batches of ``batch`` rows; ``progress(bytes read so far)`` after each.

    ``mapping``: the file is a city's own export (``city.history.mapping``). A row with lon/lat and no grids is
    located on the loaded city's grids. A row whose ``result`` is an open step goes into the live lifecycle, in
    batches of ``open_batch`` (``city.cutover.batches``). ``HistoryFileError`` (nothing more is read) for a file
    that cannot be read; ``OSError`` as raised.
    """
    from city.cutover.batches import OpenImport  # it reads this module's checks
    from city.history.mapping import preparer  # it reads this module's columns

    summary, codes, done, analyze_at = ImportSummary(), known_codes(bus), [0], batch
    prepare = preparer(bus, mapping)
    imported_at = bus.deps.clock.now()
    opened = OpenImport(bus, summary, imported_at, codes, open_batch)
    with path.open("rb") as binary:
        reader = csv.reader(lines(binary, done))
        rows = records(reader)
        header = _header(rows, None if mapping is None else prepare)
        pending: dict[str, tuple[int, str, CaseFacts, dict[str, str]]] = {}
        line = reader.line_num
        for values in rows:
            line, summary.rows = reader.line_num, summary.rows + 1
            _take(summary, pending, line, header, values, codes, prepare, opened)
            if len(pending) >= batch:
                _flush(bus, summary, pending, imported_at)
                if summary.imported >= analyze_at:
                    # The per-batch lookups plan from the statistics: a table that grew from nothing still
                    # looks empty to PostgreSQL (seq scans, 400 rows/s at 150,000 cases) until analysed.
                    refresh_statistics(bus)
                    analyze_at = 2 * summary.imported
                if progress:
                    progress(done[0])
        _flush(bus, summary, pending, imported_at)
        opened.flush()
        if progress:
            progress(done[0])
    if summary.imported:
        refresh_statistics(bus, vacuum=True)
    return summary


def _take(summary: ImportSummary, pending: dict[str, Any], line: int, header: list[str], values: list[str],
          codes: Codes, prepare: RowPreparer, opened: OpenImport) -> None:
    if not any(v.strip() for v in values):
        summary.rows -= 1  # a blank line is not a row
        return
    if len(values) != len(header):
        summary.refuse(line, f"{len(values)} values for {len(header)} columns")
        return
    try:
        check_controls(header, values)
        row = prepare({k: v.strip() for k, v in zip(header, values, strict=True)})
        if row.get("result") in OPEN_STEPS:
            opened.take(line, row, pending)
            return
        number, facts, roles = parse_row(row, codes)
        if number in opened.seen:
            raise RowError(f"case_no: {number} appears earlier in this file (line {opened.seen[number]})")
    except RowError as exc:
        summary.refuse(line, prepare.explain(str(exc)))
        return
    if number in pending:
        summary.refuse(line, f"case_no: {number} appears earlier in this file (line {pending[number][0]})")
        return
    pending[number] = (line, number, facts, roles)


def _flush(bus: MessageBus, summary: ImportSummary, pending: dict[str, Any], imported_at: datetime) -> None:
    if not pending:
        return
    result = bus.handle(city_commands.ImportHistory(tuple(pending.values()), imported_at))
    summary.imported += result["imported"]
    summary.present += result["present"]
    for line, message in result["refused"]:
        summary.refuse(line, message)
    pending.clear()
