"""Verifying a case's history: the hash chain, the checkpoints that saw it, then a re-run of its inputs.

``verify_case`` reads the case from the database and re-runs it with the city's current helpers
(grid lookup, working-time calendar). ``export_case`` writes everything an outside auditor needs into
one document — events, the BPMN/DMN sources of each version, and the answers the helpers gave — and
``verify_document`` checks such a document without any database. Given the attachment store's folder,
``verify_case`` also checks that every file an ``attachment_added`` event records is still there with the
recorded sha256 (an export carries no files, so a document is verified without them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.bpmn.budget import ScriptLimits
from engine.bpmn.environment import ENVIRONMENT, answered_names, kept, kept_as
from engine.bpmn.specs import LoadedSpec
from engine.domain.audit.chain import Divergence, StoredEvent, check_chain
from engine.domain.errors import NotFound
from engine.domain.events import ATTACHMENT_ADDED, canonical_json
from engine.domain.summary import case_no
from engine.persistence.repositories import audit as audit_store
from engine.persistence.uow import UnitOfWork
from engine.service.attachments import stored_digest
from engine.service.audit.run import ReplayState, replay_events
from engine.service.deps import Deps


@dataclass(frozen=True)
class VerifyResult:
    """The verdict on one case: verified, or the first divergence."""

    case_id: int
    case_no: str
    events: int
    verified: bool
    divergence: Divergence | None
    seconds: float


@dataclass(frozen=True)
class CaseRecord:
    """What verification reads of one case."""

    case_id: int
    case_no: str
    process_id: str
    head: tuple[int, str]
    events: list[StoredEvent]
    checkpointed: list[tuple[int, int, str]]  # (checkpoint id, seq, hash)


def read_case(uow: UnitOfWork, case_id: int) -> CaseRecord:
    """The case's stored events, head and checkpointed heads; NotFound for an unknown case."""
    store = uow.store
    head = audit_store.case_head(store, case_id)
    if head is None:
        raise NotFound(f"case {case_id} not found", field="case")
    seq, digest, started_at, process_id = head
    return CaseRecord(case_id, case_no(case_id, started_at), process_id, (seq, digest),
                      audit_store.stored_events(store, case_id), audit_store.checkpointed_heads(store, case_id))


def checkpoint_divergence(record: CaseRecord) -> Divergence | None:
    """A checkpoint saw a head the stored events no longer have (history deleted or rewritten)."""
    hashes = {e.seq: e.hash for e in record.events}
    for checkpoint_id, seq, digest in record.checkpointed:
        if hashes.get(seq) != digest:
            return Divergence(seq, None, f"audit_checkpoints[{checkpoint_id}]", digest, hashes.get(seq),
                              "a checkpoint saw this event with another hash: the history was rewritten or deleted")
    return None


def recording(helpers: Mapping[str, Any], answers: list[list[Any]]) -> dict[str, Any]:
    """The helpers, the environment ones wrapped to append ``[name, args, answer]`` to ``answers``.

    Each question is recorded once: a script that outgrows the in-process budget runs again in the budget
    worker (``engine.bpmn.budget``) and asks its helpers again, which must not change the export.
    """
    asked: set[tuple[str, str]] = set()

    def wrap(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            answer = func(*args, **kwargs)
            key = (name, canonical_json([list(args), kwargs]))
            if key not in asked:
                asked.add(key)
                answers.append([name, key[1], answer])
            return answer
        return call

    # the engine's own environment helpers and every other one kept with the step (a capability's, by its name)
    return {name: wrap(name, func) if name in ENVIRONMENT or kept_as(func) else func
            for name, func in helpers.items()}


def answering(answers: list[list[Any]]) -> dict[str, Any]:
    """Environment helpers that give the recorded answers (an exported case verified without the city): the
    engine's own and every helper the export answered for; a step's own recorded answers come first (``kept``)."""
    table = {(name, args): answer for name, args, answer in answers}

    def helper(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            key = (name, canonical_json([list(args), kwargs]))
            if key not in table:
                raise ValueError(f"the export holds no answer for {name}{tuple(args)}")
            return table[key]
        return kept(name, call)

    return {name: helper(name) for name in sorted(set(ENVIRONMENT) | answered_names(answers))}


def verify_record(record: CaseRecord, specs: Callable[[int], LoadedSpec], version_ids: Mapping[int, int],
                  helpers: Mapping[str, Any], limits: ScriptLimits | None = None) -> Divergence | None:
    """Chain, checkpoints, then the re-run (scripts within ``limits``): the first divergence, or None."""
    if not record.events or record.events[0].event_type != "case_started":
        first = record.events[0] if record.events else None
        return Divergence(first.seq if first else None, first.event_type if first else None, "event_type",
                          "case_started", first.event_type if first else None,
                          "a case's record begins with case_started")
    found = check_chain(record.events, record.head) or checkpoint_divergence(record)
    if found is not None:
        return found
    return replay_events(record.events, ReplayState(specs, version_ids, helpers, limits))


def evidence_divergence(events: list[StoredEvent], folder: Path) -> Divergence | None:
    """The first ``attachment_added`` event whose file is missing from the attachment store in ``folder`` or no
    longer hashes to the sha256 it records (expected: that sha256; found: the file's, or None when it is gone)."""
    for event in events:
        if event.event_type != ATTACHMENT_ADDED:
            continue
        recorded = json.loads(event.data)
        recorded = recorded if isinstance(recorded, dict) else {}
        digest = str(recorded.get("sha256") or "")
        found = stored_digest(folder, digest)
        if found == digest:
            continue
        reason = ("the evidence file is missing from the attachment store" if found is None
                  else "the evidence file's bytes differ from those recorded: it was altered or replaced")
        return Divergence(event.seq, event.event_type, f"file {recorded.get('filename')}", digest, found, reason)
    return None


def verify_case(deps: Deps, case_id: int, answers: list[list[Any]] | None = None,
                evidence: Path | None = None) -> VerifyResult:
    """Verify one case from the database; ``answers`` collects the environment helpers' answers. With
    ``evidence`` (the attachment store's folder), a history that verifies has its evidence files checked too."""
    started = time.perf_counter()
    with deps.uow(read_only=True) as uow:
        record = read_case(uow, case_id)
        version_ids = audit_store.version_ids_by_number(uow.store, record.process_id)
        for version_id in {e.process_version_id for e in record.events} | set(version_ids.values()):
            deps.spec(uow, version_id)  # load while the transaction is open; replay runs without one

        def specs(version_id: int) -> LoadedSpec:
            return deps.spec(uow, version_id)

        helpers = recording(deps.script_helpers, answers) if answers is not None else deps.script_helpers
        divergence = verify_record(record, specs, version_ids, helpers, deps.script_limits)
    if divergence is None and evidence is not None:  # the recorded hashes are trustworthy: the chain holds
        divergence = evidence_divergence(record.events, evidence)
    return VerifyResult(case_id, record.case_no, len(record.events), divergence is None, divergence,
                        time.perf_counter() - started)
