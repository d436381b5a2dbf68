"""One self-contained file per case for an outside auditor, and verifying such a file without a database.

The file holds the case's events as stored, the BPMN/DMN sources of every process version it ran on
(with the spec hash each must parse to), the answers the city's helpers gave during replay (grid
lookups, working-time deadlines: the environment, stated rather than re-derived), and the checkpoint
heads that saw the case. ``verify_document`` re-parses the sources, checks the chain and the
checkpoints, and re-runs the case.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict
from datetime import datetime
from typing import Any

from engine.bpmn.form_files import split_files, version_digest
from engine.bpmn.specs import LoadedSpec, parse_bundles, restore_spec
from engine.bpmn.starters import start_settings
from engine.domain.audit.chain import Divergence, StoredEvent
from engine.domain.errors import GridcaseError, InvalidCommand
from engine.domain.events import canonical_json
from engine.persistence.repositories import audit as audit_store
from engine.service.audit.replay import CaseRecord, VerifyResult, answering, read_case, verify_case, verify_record
from engine.service.deps import Deps

FORMAT = "gridcase-case-export"
FORMAT_VERSION = 1
_EVENT_FIELDS = ("case_id", "seq", "occurred_at", "actor", "actor_kind", "event_type", "command", "task_id",
                 "bpmn_id", "data", "process_version_id", "prev_hash", "hash")
_OPTIONAL_EVENT_FIELDS = ("request_id",)  # absent from exports written before the column existed


def _digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json({k: v for k, v in document.items() if k != "sha256"}).encode()).hexdigest()


def export_case(deps: Deps, case_id: int, now: datetime) -> dict[str, Any]:
    """The case as one document (replayed once to collect the helpers' answers)."""
    answers: list[list[Any]] = []
    result = verify_case(deps, case_id, answers)
    with deps.uow(read_only=True) as uow:
        record = read_case(uow, case_id)
        ids = set(audit_store.version_ids_by_number(uow.store, record.process_id).values())
        versions = [audit_store.version_sources(uow.store, vid) for vid in sorted(ids)]
    events = [{**asdict(e), "occurred_at": e.occurred_at.isoformat()} for e in record.events]
    document: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "exported_at": now.isoformat(),
        "case": {"case_id": record.case_id, "case_no": record.case_no, "process_id": record.process_id,
                 "head": list(record.head), "verified_at_export": result.verified},
        "versions": versions, "events": events, "environment": answers,
        "checkpoints": [list(h) for h in record.checkpointed],
    }
    document["sha256"] = _digest(document)
    return document


def _bad(field: str, message: str) -> InvalidCommand:
    return InvalidCommand(f"not a gridcase case export: {message}", field=field)


def read_document(document: Any) -> tuple[CaseRecord, dict[int, dict[str, Any]], list[list[Any]]]:
    """The case, its versions by id and the environment answers; InvalidCommand naming what is wrong."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _bad("format", f"format must be {FORMAT!r}")
    if document.get("format_version") != FORMAT_VERSION:
        raise _bad("format_version", f"format_version {document.get('format_version')!r} is not {FORMAT_VERSION}")
    try:
        case = document["case"]
        events = [StoredEvent(**{**{k: e[k] for k in _EVENT_FIELDS}, **{k: e.get(k) for k in _OPTIONAL_EVENT_FIELDS},
                                 "occurred_at": datetime.fromisoformat(e["occurred_at"])})
                  for e in document["events"]]
        record = CaseRecord(int(case["case_id"]), str(case["case_no"]), str(case["process_id"]),
                            (int(case["head"][0]), str(case["head"][1])), events,
                            [(int(a), int(b), str(h)) for a, b, h in document.get("checkpoints", [])])
        versions = {int(v["id"]): v for v in document["versions"]}
        answers = [list(a) for a in document.get("environment", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad("events", f"{type(exc).__name__}: {exc}") from None
    return record, versions, answers


def _spec_loader(versions: dict[int, dict[str, Any]]) -> Any:
    cache: dict[int, LoadedSpec] = {}

    def load(version_id: int) -> LoadedSpec:
        if version_id not in cache:
            version = versions.get(version_id)
            if version is None:
                raise _bad("versions", f"version {version_id} is not in the file")
            models, forms = split_files(version["sources"])
            bundles = {b.process_id: b for b in parse_bundles(models)}
            bundle = bundles.get(version["process_id"])
            # The version's hash covers its spec, the forms deployed with it and the starter groups it names.
            starters = None if bundle is None else start_settings(models, bundle.process_id).starter_groups
            if bundle is None or version_digest(bundle.spec_json, forms, starters) != version["sha256"]:
                raise _bad("versions", f"the sources of version {version['number']} do not give its spec hash")
            cache[version_id] = restore_spec(version_id, bundle.process_id, bundle.spec_json)
        return cache[version_id]

    return load


def verify_document(document: Any) -> VerifyResult:
    """Verify an exported case without a database: file hash, chain, checkpoints, sources, re-run."""
    started = time.perf_counter()
    record, versions, answers = read_document(document)
    numbers = {int(v["number"]): vid for vid, v in versions.items()}
    try:  # the record first: an edited event is named; a file changed anywhere else, by its hash
        divergence = verify_record(record, _spec_loader(versions), numbers, answering(answers))
    except GridcaseError as exc:
        divergence = Divergence(None, None, exc.field or "versions", "the exported sources", exc.message,
                                "the file's process sources cannot be used")
    if divergence is None and document.get("sha256") != _digest(document):
        divergence = Divergence(None, None, "sha256", _digest(document), document.get("sha256"),
                                "the file was changed after it was exported")
    return VerifyResult(record.case_id, record.case_no, len(record.events), divergence is None, divergence,
                        time.perf_counter() - started)
