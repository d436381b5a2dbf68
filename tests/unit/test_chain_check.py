"""The audit chain check (engine.domain.audit.chain) on hand-built event lists: the hash format itself, every
field covered by the hash, missing, reordered and truncated events, and what a consistent re-hash can hide."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.domain import events as ev
from engine.domain.audit.chain import Divergence, StoredEvent, chain_problems, check_chain

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
STEPS = [("case_started", "start_case", None, {"data": {"report": {"subtype": "0601"}}}),
         ("task_ready", None, "verify_report", {"due_at": None, "group": "collector:350602"}),
         ("data_changed", None, None, {"changes": {"report.subtype": [None, "0601"]}}),
         ("task_completed", "complete_task", "verify_report", {"verification": {"found": True, "note": "属实"}}),
         ("task_ready", None, "file_or_void", {"due_at": None, "group": "shift_lead"})]


def independent_hash(prev: str, event: StoredEvent) -> str:
    """The documented hash, written out here rather than through ``events.event_hash``: sha256 of the previous
    hash, the JSON list of the row's fields (UTC time; actor kind and command when recorded; then the request id
    when recorded) and its data."""
    fields: list[Any] = [event.case_id, event.seq, event.occurred_at.astimezone(UTC).isoformat(), event.actor,
                         event.event_type, event.task_id, event.bpmn_id, event.process_version_id]
    if event.actor_kind is not None or event.command is not None or event.request_id is not None:
        fields += [event.actor_kind, event.command]
    if event.request_id is not None:
        fields.append(event.request_id)
    head = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}{head}{event.data}".encode()).hexdigest()


def rechain(events: list[StoredEvent]) -> list[StoredEvent]:
    """The events with seq, prev_hash and hash rewritten from the genesis hash: a consistent forgery."""
    out, prev = [], ev.GENESIS_HASH
    for seq, event in enumerate(events, start=1):
        event = dataclasses.replace(event, seq=seq, prev_hash=prev, hash="")
        event = dataclasses.replace(event, hash=independent_hash(prev, event))
        out.append(event)
        prev = event.hash
    return out


def chain() -> list[StoredEvent]:
    """A correctly hashed five-event case, two people acting a minute apart."""
    events = []
    for seq, (event_type, command, bpmn_id, data) in enumerate(STEPS, start=1):
        actor = "seat01" if seq <= 3 else "collector001"
        events.append(StoredEvent(7, seq, START + timedelta(minutes=0 if seq <= 3 else 5), actor, "person",
                                  event_type, command, f"task-{bpmn_id}" if bpmn_id else None, bpmn_id,
                                  ev.canonical_json(data), 3, "", "", None if seq <= 3 else "req-42"))
    return rechain(events)


def head(events: list[StoredEvent]) -> tuple[int, str]:
    return events[-1].seq, events[-1].hash


def test_an_intact_chain_has_no_problems() -> None:
    events = chain()
    assert chain_problems(events, head(events)) == []
    assert check_chain(events, head(events)) is None
    assert chain_problems([], (0, ev.GENESIS_HASH)) == []  # a case without events yet


def test_the_hash_is_the_documented_one_and_the_engine_writes_it() -> None:
    events = chain()
    for prev, event in zip([ev.GENESIS_HASH] + [e.hash for e in events], events, strict=False):
        assert event.recomputed_hash(prev) == independent_hash(prev, event)
        assert event.recomputed_hash(prev) == ev.event_hash(
            prev, case_id=event.case_id, seq=event.seq, occurred_at=event.occurred_at, actor=event.actor,
            event_type=event.event_type, task_id=event.task_id, bpmn_id=event.bpmn_id, data=json.loads(event.data),
            process_version_id=event.process_version_id, actor_kind=event.actor_kind, command=event.command,
            request_id=event.request_id)


def test_rows_without_a_request_id_keep_the_hash_they_were_written_with() -> None:
    with_id = chain()[3]
    assert with_id.request_id == "req-42"
    without = dataclasses.replace(with_id, request_id=None)
    assert without.recomputed_hash(chain()[2].hash) == independent_hash(chain()[2].hash, without)
    assert without.recomputed_hash(chain()[2].hash) != with_id.hash
    bare = dataclasses.replace(with_id, actor_kind=None, command=None)  # 11 fields: no 8- or 10-field row matches
    assert bare.recomputed_hash("") not in {dataclasses.replace(bare, request_id=None).recomputed_hash(""),
                                            without.recomputed_hash("")}


def test_rows_from_before_actor_kinds_hash_without_them() -> None:
    legacy = dataclasses.replace(chain()[0], actor_kind=None, command=None)
    assert legacy.recomputed_hash(ev.GENESIS_HASH) == independent_hash(ev.GENESIS_HASH, legacy)
    assert legacy.recomputed_hash(ev.GENESIS_HASH) != chain()[0].hash


def test_the_time_is_hashed_in_utc_whatever_zone_it_was_read_in() -> None:
    event = chain()[0]
    local = dataclasses.replace(event, occurred_at=event.occurred_at.astimezone(ZoneInfo("Asia/Shanghai")))
    assert local.recomputed_hash(ev.GENESIS_HASH) == event.hash


@pytest.mark.parametrize(("field", "value"), [
    ("data", ev.canonical_json({"verification": {"found": False, "note": "属实"}})),
    ("occurred_at", START + timedelta(minutes=6)),
    ("actor", "mallory"),
    ("actor_kind", "api_client"),
    ("event_type", "task_cancelled"),
    ("command", None),
    ("task_id", "task-other"),
    ("bpmn_id", "close_case"),
    ("process_version_id", 4),
    ("request_id", "forged-1"),
    ("request_id", None),
])
def test_a_changed_field_breaks_that_events_hash(field: str, value: Any) -> None:
    events = chain()
    events[3] = dataclasses.replace(events[3], **{field: value})
    problems = chain_problems(events, head(events))
    assert [(p.seq, p.field) for p in problems] == [(4, "hash")]
    assert (problems[0].expected, problems[0].found) == (events[3].recomputed_hash(events[2].hash), chain()[3].hash)
    assert problems[0].event_type == (value if field == "event_type" else "task_completed")


def test_a_deleted_event_leaves_a_gap_named_by_the_missing_seq() -> None:
    events = chain()
    del events[2]
    first = check_chain(events, (len(STEPS), chain()[-1].hash))
    assert first is not None
    assert (first.seq, first.field, first.expected, first.found) == (4, "seq", 3, 4)
    assert first.reason == "an event is missing or out of order"


def test_a_deleted_last_event_is_caught_by_the_case_head() -> None:
    events = chain()
    problems = chain_problems(events[:-1], head(events))
    assert [(p.seq, p.field) for p in problems] == [(None, "cases.last_event_seq/last_event_hash")]
    assert problems[0].expected == (4, events[3].hash) and problems[0].found == head(events)


def test_a_reordered_pair_is_detected_both_when_listed_out_of_order_and_when_renumbered() -> None:
    events = chain()
    listed = [events[0], events[2], events[1], events[3], events[4]]
    assert [(p.seq, p.field) for p in chain_problems(listed)][:2] == [(3, "seq"), (3, "prev_hash")]
    renumbered = [events[0], dataclasses.replace(events[2], seq=2), dataclasses.replace(events[1], seq=3),
                  events[3], events[4]]  # what swapping two rows' seq numbers in the table gives
    first = check_chain(renumbered, head(events))
    assert first is not None and (first.seq, first.field, first.event_type) == (2, "prev_hash", "data_changed")


def test_a_history_rewritten_and_rehashed_from_the_start_passes_the_chain_alone() -> None:
    """The chain proves only that no row was edited after the fact in isolation; the checkpoint heads
    and the re-run (tested in tests/integration/test_replay.py) are what catch a consistent forgery."""
    forged = chain()
    forged[3] = dataclasses.replace(forged[3], data=ev.canonical_json({"verification": {"found": False}}))
    forged = rechain(forged)
    assert chain_problems(forged, head(forged)) == []
    assert head(forged) != head(chain())  # a checkpoint that saw the real head tells them apart


def test_a_divergence_describes_event_field_expected_and_found() -> None:
    described = Divergence(4, "task_completed", "actor", "collector001", "mallory",
                           "the stored event differs from the replay").describe()
    assert described == ("event 4 (task_completed): the stored event differs from the replay — "
                         "actor: expected 'collector001', found 'mallory'")
    whole_case = Divergence(None, None, "sha256", "a", "b", "changed").describe()
    assert whole_case == "case: changed — sha256: expected 'a', found 'b'"
