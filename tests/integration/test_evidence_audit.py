"""Evidence in the audit chain (issue 16 item 6), on SQLite and PostgreSQL: every attachment is an
``attachment_added`` event of its case, hash-chained and written in the attachment row's transaction; a closed
case takes evidence only as an addendum with a note; replay verifies cases with such events (it re-runs no
workflow for them) and catches evidence slipped into a closed case's history; the replay frames show them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from api_support import png_bytes
from replay_support import DEPT, DISPOSED, Case, close, cst, forge, start, to_disposal, update_event

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.audit.frames import frames
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.service.audit.export import export_case, verify_document
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.queries import case_events
from web.settings import Settings

LIMIT = 1024 * 1024


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(cst(2, 9))


@pytest.fixture
def bus(city: str, clock: FakeClock) -> Iterator[MessageBus]:
    """The engine over the module's seeded city (lifecycle deployed), every step checked against a reload."""
    bus = bootstrap(city, clock, verify_state=True, working_time=Settings.from_env({}).working_time())
    yield bus
    bus.deps.db.dispose()


def upload(case: Case, folder: Path, data: bytes, actor: str = "seat01", *, addendum: bool = False,
           note: str = "") -> dict[str, object]:
    """Attach ``data`` to the case a minute after its last step, as the web route does."""
    case.clock.advance(minutes=1)
    result: dict[str, object] = case.bus.handle(c.UploadAttachment(
        str(folder), case.case_id, "现场.png", data, actor, LIMIT, addendum=addendum, note=note, actor_kind="person"))
    return result


def written(case: Case) -> tuple[int, int, int]:
    """(attachment rows, events, chain head seq) of the case."""
    attachments = case.rows("SELECT COUNT(*) AS n FROM attachments WHERE case_id = :id")[0].n
    events = case.rows("SELECT COUNT(*) AS n FROM case_events WHERE case_id = :id")[0].n
    head = case.rows("SELECT last_event_seq FROM cases WHERE id = :id")[0].last_event_seq
    return attachments, events, head


def closed_case(bus: MessageBus, clock: FakeClock) -> Case:
    case = to_disposal(start(bus, clock))
    case.complete("dispose_problem", DISPOSED, DEPT)
    close(case)
    return case


def test_evidence_is_a_chained_event_written_with_its_row(bus: MessageBus, clock: FakeClock, tmp_path: Path) -> None:
    case = start(bus, clock)
    version = case.rows("SELECT version FROM cases WHERE id = :id")[0].version
    photo = png_bytes(3, 2)
    stored = upload(case, tmp_path, photo)
    digest = hashlib.sha256(photo).hexdigest()
    last = case.events()[-1]
    assert (last.event_type, last.command, last.actor, last.actor_kind) == (
        ev.ATTACHMENT_ADDED, ev.UPLOAD_ATTACHMENT_COMMAND, "seat01", "person")
    assert json.loads(last.data) == {"sha256": digest, "filename": "现场.png", "content_type": "image/png",
                                     "size": len(photo)} == stored
    assert last.occurred_at == clock.now() and last.task_id is None and last.bpmn_id is None
    assert written(case) == (1, last.seq, last.seq)  # the row, the event and the case's chain head together
    # The workflow did not change: a client's expected_version still holds.
    assert case.rows("SELECT version FROM cases WHERE id = :id")[0].version == version

    upload(case, tmp_path, photo)  # the same bytes again: one attachment, one event
    assert written(case) == (1, last.seq, last.seq)
    to_disposal(case)  # steps after the evidence chain on from it; replay skips it in the re-run
    upload(case, tmp_path, png_bytes(4, 4), actor=DEPT)
    result = verify_case(bus.deps, case.case_id)
    assert result.verified, result.divergence
    assert [e.event_type for e in case.events()].count(ev.ATTACHMENT_ADDED) == 2


def test_an_upload_refused_in_its_transaction_leaves_no_row_event_or_file(bus: MessageBus, clock: FakeClock,
                                                                         tmp_path: Path) -> None:
    case = start(bus, clock)
    before = written(case)
    behind = bootstrap(bus.deps.db, FakeClock(clock.now() - timedelta(hours=1)))  # a host whose clock is behind
    with pytest.raises(InvalidCommand) as refused:  # the chain refuses a time before the case's last event
        behind.handle(c.UploadAttachment(str(tmp_path), case.case_id, "a.png", png_bytes(), "seat01", LIMIT))
    assert refused.value.field == "occurred_at"
    assert written(case) == before
    assert not list(tmp_path.rglob("*"))  # the bytes are kept only for evidence that is recorded


def test_a_closed_case_takes_evidence_only_as_an_addendum_with_a_note(bus: MessageBus, clock: FakeClock,
                                                                      tmp_path: Path) -> None:
    case = closed_case(bus, clock)
    before = written(case)
    with pytest.raises(InvalidCommand, match="the case is closed") as refused:
        upload(case, tmp_path, png_bytes(), actor="supervisor01")
    assert refused.value.field == "addendum"
    for note in ("", "  ", "x" * 501, "a\0b"):
        with pytest.raises(InvalidCommand) as refused:
            upload(case, tmp_path, png_bytes(), actor="supervisor01", addendum=True, note=note)
        assert refused.value.field == "note", note
    assert written(case) == before
    assert not list(tmp_path.rglob("*"))

    upload(case, tmp_path, png_bytes(), actor="supervisor01", addendum=True, note="居民补充的清运后照片")
    last = case.events()[-1]
    assert json.loads(last.data)["addendum"] is True and json.loads(last.data)["note"] == "居民补充的清运后照片"
    assert case.status == "completed"
    result = verify_case(bus.deps, case.case_id)
    assert result.verified, result.divergence
    document = export_case(bus.deps, case.case_id, clock.now())  # verified without the database too
    assert verify_document(json.loads(json.dumps(document))).verified

    shown = frames(case_events(bus.deps, case.case_id), completed=True)
    assert shown[-1]["event_type"] == ev.ATTACHMENT_ADDED and shown[-1]["label"] == "evidence added"
    assert shown[-1]["completed"] == shown[-2]["completed"] and shown[-1]["active"] == []


def test_an_open_case_takes_no_addendum(bus: MessageBus, clock: FakeClock, tmp_path: Path) -> None:
    case = start(bus, clock)
    with pytest.raises(InvalidCommand) as refused:
        upload(case, tmp_path, png_bytes(), addendum=True, note="why")
    assert refused.value.field == "addendum" and "open" in refused.value.message


def test_replay_catches_evidence_altered_or_slipped_into_a_closed_case(bus: MessageBus, clock: FakeClock,
                                                                       tmp_path: Path) -> None:
    case = closed_case(bus, clock)
    upload(case, tmp_path, png_bytes(), actor="supervisor01", addendum=True, note="补充照片")
    events = case.events()
    addendum = events[-1]

    # Edited in place (another file's digest): the row's hash no longer matches its fields.
    altered = json.dumps({**json.loads(addendum.data), "sha256": "0" * 64}, sort_keys=True, separators=(",", ":"))
    update_event(case, addendum.seq, data=altered)
    found = verify_case(bus.deps, case.case_id).divergence
    assert found is not None and (found.seq, found.field) == (addendum.seq, "hash")

    # Rewritten and re-hashed as if added without an addendum: the chain holds, the re-run refuses it.
    plain = {k: v for k, v in json.loads(addendum.data).items() if k not in ("addendum", "note")}
    forge(case, [*events[:-1], dataclasses.replace(addendum, data=ev.canonical_json(plain))])
    found = verify_case(bus.deps, case.case_id).divergence
    assert found is not None and (found.seq, found.field) == (addendum.seq, "data.addendum"), found
    assert "closed case without an addendum" in found.reason
