"""``gridcase bench public``'s exchange figures: ``RunExchangeExport`` over the facts of ``cases`` live cases.

The connector first exports what the bench's earlier steps made (its baseline: the next run sees only new
changes); then ``cases`` live facts rows are written in bulk — copies of the bench's own cases' facts under new
numbers, through the facts repository the lifecycle and the history import write with (a facts row is all the
export reads) — and the export that takes them is timed, then each file it wrote is checked against the exchange's
JSON Schema (docs/exchange.schema.json), timed apart."""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from itertools import cycle
from pathlib import Path
from typing import Any

from bench.public_intake import App
from city.exchange.commands import RunExchangeExport
from city.exchange.schema import problems
from city.facts.model import COUNTERS, CaseFacts
from city.persistence.read import exchange as reads
from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.domain.commands import Command
from engine.service.bus import HandlerContext

UPPER = "bench-upper"
STAGES = {"received": "01", "filed": "02", "dispatched": "03", "disposed": "04", "closed": "05", "voided": "09"}
_FIELDS = {f.name for f in dataclasses.fields(CaseFacts)} - {"counters"}
WRITE_BATCH = 1000


def upper_config(folder: Path) -> dict[str, Any]:
    """The bench's upper-level connector (for the connectors' file), its folders under ``folder``."""
    return {"code": UPPER, "kind": "upper_level", "name": "上级平台 bench", "active": True,
            "config": {"platform_code": "BENCH", "city_code": "350600", "outbox_dir": str(folder / "outbox"),
                       "inbox_dir": str(folder / "inbox"), "every_minutes": 15, "settle_seconds": 0,
                       "national_codes": {"identity": True, "map": {}}, "stage_codes": STAGES}}


@dataclass(frozen=True)
class WriteLiveFacts(Command):
    """The bench's own command (not the product's): ``count`` live facts rows numbered ``BENCHF…``, copied from
    the live cases' facts there are, one transaction per ``WRITE_BATCH``."""

    count: int


def _copies(template: list[dict[str, Any]], first: int, count: int) -> list[FactRow]:
    rows = []
    for n, fact in zip(range(first, first + count), cycle(template), strict=False):
        facts = CaseFacts(**{name: fact[name] for name in _FIELDS if name in fact},
                          counters={name: int(fact[name] or 0) for name in COUNTERS})
        facts = dataclasses.replace(facts, reported_at=facts.reported_at - timedelta(minutes=n % 600))
        rows.append(FactRow(f"BENCHF{n:08d}", facts, "live"))
    return rows


def _write_live_facts(cmd: WriteLiveFacts, ctx: HandlerContext) -> int:
    with ctx.deps.uow(read_only=True) as uow:
        template = reads.changed_facts(uow.store, UPPER, None, ctx.deps.clock.now() + timedelta(days=1))
    if not template:
        raise RuntimeError("no live case to copy the facts of")
    for first in range(0, cmd.count, WRITE_BATCH):
        with ctx.deps.uow() as uow:
            upsert_facts(uow.store, _copies(template, first, min(WRITE_BATCH, cmd.count - first)),
                         ctx.deps.clock.now(), new=True)
    return cmd.count


def _validate(outbox: Path, batches: list[dict[str, Any]]) -> dict[str, Any]:
    size, parse, check, faults = 0, 0.0, 0.0, 0
    for batch in batches:
        raw = (outbox / batch["file_name"]).read_bytes()
        size += len(raw)
        started = time.perf_counter()
        document = json.loads(raw)
        parsed = time.perf_counter()
        faults += len(problems("export", document))
        parse, check = parse + parsed - started, check + time.perf_counter() - parsed
    return {"file_bytes": size, "parse_seconds": round(parse, 3), "schema_validation_seconds": round(check, 3),
            "schema_problems": faults}


def export(app: App, folder: Path, cases: int) -> dict[str, Any]:
    """Baseline export, ``cases`` live facts written, the timed export and its files checked; the figures."""
    baseline = app.bus.handle(RunExchangeExport(UPPER, "admin"))
    app.bus.handlers = {**app.bus.handlers, WriteLiveFacts: _write_live_facts}
    started = time.perf_counter()
    app.bus.handle(WriteLiveFacts(cases))
    writing = time.perf_counter() - started
    time.sleep(0.01)  # the export takes changes before its own now: let the clock pass the last row's time
    started = time.perf_counter()
    result = app.bus.handle(RunExchangeExport(UPPER, "admin"))
    elapsed = time.perf_counter() - started
    records = sum(batch["records"] for batch in result["batches"])
    return {"live_facts_written": cases, "write_facts_seconds": round(writing, 2),
            "baseline_records": sum(batch["records"] for batch in baseline["batches"]),
            "records": records, "files": len(result["batches"]), "seconds": round(elapsed, 3),
            "records_per_s": round(records / elapsed, 1) if elapsed else None,
            **_validate(folder / "outbox", result["batches"])}
