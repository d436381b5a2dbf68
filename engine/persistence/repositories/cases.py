"""The case repository: hand-written SQL on the transaction's DBAPI connection.

Every command runs through here, so the hot path avoids per-statement ORM overhead: a step writes
only its changed task rows, new data blobs, projections and audit rows, then bumps the case version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.errors import ConcurrencyConflict, NotFound
from engine.domain.events import GENESIS_HASH, canonical_json
from engine.persistence.db import SqlDialect, as_utc, as_utc_not_null


@dataclass
class CaseRow:
    """The locked case row a command works on."""

    id: int
    process_version_id: int
    status: str
    version: int
    last_event_seq: int
    last_event_hash: str
    updated_at: datetime | None = None  # when the case's last step happened: a new one may not be earlier


@dataclass(frozen=True)
class EventRow:
    """One audit row, with its chain hash already computed."""

    seq: int
    occurred_at: datetime
    actor: str
    event_type: str
    task_id: str | None
    bpmn_id: str | None
    data: str
    prev_hash: str
    hash: str
    actor_kind: str | None = None
    command: str | None = None
    request_id: str | None = None


def _case_row(row: Sequence[Any]) -> CaseRow:
    """A CaseRow from the lock queries' first seven columns (id … last event hash, updated_at)."""
    return CaseRow(row[0], row[1], row[2], row[3], row[4], row[5], as_utc(row[6]))


class CaseStore:
    """Reads and writes one transaction's case data."""

    def __init__(self, raw_connection: Any, dialect: SqlDialect) -> None:
        self.dialect = dialect
        self.cur = raw_connection.cursor()
        # case id → number, as this transaction wrote or read it (a number never changes once given): a step's
        # hooks and its command ask for it several times
        self.case_numbers: dict[int, str] = {}

    def close(self) -> None:
        self.cur.close()

    # Package-private: repositories and read models in engine/persistence run SQL through these two; nothing
    # outside the persistence layer may (tests/unit/test_sql_stays_in_persistence.py).
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement written with ``?`` placeholders; returns the cursor."""
        self.cur.execute(self.dialect.sql(sql), params)
        return self.cur

    def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows (nothing when there are none)."""
        rows = list(rows)
        if rows:
            self.cur.executemany(self.dialect.sql(sql), rows)

    # -- cases ---------------------------------------------------------------------------------

    def case_by_external_id(self, channel: str, external_id: str) -> int | None:
        row = self._execute("SELECT id FROM cases WHERE channel = ? AND external_id = ?",
                         (channel, external_id)).fetchone()
        return row[0] if row else None

    def insert_case(self, *, process_id: str, version_id: int, actor: str, channel: str | None,
                    external_id: str | None, now: datetime) -> CaseRow:
        stamp = self.dialect.stamp(now)
        row = self._execute(
            "INSERT INTO cases (process_id, process_version_id, status, version, channel, external_id,"
            " started_by, started_at, updated_at, workflow_json, last_event_seq, last_event_hash)"
            " VALUES (?, ?, 'running', 0, ?, ?, ?, ?, ?, '{}', 0, ?) RETURNING id",
            (process_id, version_id, channel, external_id, actor, stamp, stamp, GENESIS_HASH),
        ).fetchone()
        return CaseRow(row[0], version_id, "running", 0, 0, GENESIS_HASH, now)

    def lock_case(self, case_id: int, expected_version: int | None = None) -> CaseRow:
        """Lock the case row for this transaction; check the caller's version if given."""
        row = self._execute(
            "SELECT id, process_version_id, status, version, last_event_seq, last_event_hash, updated_at"
            " FROM cases WHERE id = ?" + self.dialect.for_update, (case_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"case {case_id} not found", field="case_id")
        case = _case_row(row)
        self._check_version(case, expected_version)
        return case

    @staticmethod
    def _check_version(case: CaseRow, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != case.version:
            raise ConcurrencyConflict(
                f"case {case.id} is at version {case.version}, not {expected_version}: reload and retry",
                field="expected_version",
            )

    def workflow_json(self, case_id: int) -> str:
        workflow: str = self._execute("SELECT workflow_json FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        return workflow

    def task_rows(self, case_id: int) -> list[dict[str, Any]]:
        """All stored tasks of a case, with their data JSON."""
        self._execute(
            "SELECT t.task_id, t.workflow_key, t.spec_name, t.state, t.parent_id, t.children, t.triggered,"
            " t.last_state_change, t.internal_data, d.data FROM workflow_tasks t"
            " JOIN task_data d ON d.case_id = t.case_id AND d.hash = t.data_hash WHERE t.case_id = ?", (case_id,))
        names = ("task_id", "workflow_key", "spec_name", "state", "parent_id", "children", "triggered",
                 "last_state_change", "internal_data", "data")
        return [dict(zip(names, r, strict=True)) for r in self.cur.fetchall()]

    def finish_case(self, case: CaseRow, *, workflow_json: str | None, status: str, now: datetime,
                    events: list[EventRow]) -> int:
        """Bump the version (optimistically checked) and move the chain head; returns the new version."""
        stamp = self.dialect.stamp(now)
        head = events[-1] if events else None
        self._execute(
            "UPDATE cases SET version = version + 1, workflow_json = COALESCE(?, workflow_json), status = ?,"
            " updated_at = ?,"
            " completed_at = CASE WHEN ? = 'completed' THEN ? ELSE completed_at END,"
            " last_event_seq = ?, last_event_hash = ? WHERE id = ? AND version = ?",
            (workflow_json, status, stamp, status, stamp,
             head.seq if head else case.last_event_seq, head.hash if head else case.last_event_hash,
             case.id, case.version),
        )
        if self.cur.rowcount != 1:
            raise ConcurrencyConflict(f"case {case.id} was changed by someone else; reload and retry")
        return case.version + 1

    # -- workflow state --------------------------------------------------------------------------

    def write_tasks(self, case_id: int, rows: Iterable[Any], blobs: dict[str, str],
                    removed: Sequence[str], removed_workflows: Sequence[str]) -> None:
        self._executemany("INSERT INTO task_data (case_id, hash, data) VALUES (?, ?, ?)"
                         " ON CONFLICT (case_id, hash) DO NOTHING",
                         ((case_id, digest, data) for digest, data in blobs.items()))
        self._executemany(
            "INSERT INTO workflow_tasks (case_id, task_id, workflow_key, spec_name, state, parent_id,"
            " children, triggered, last_state_change, internal_data, data_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, task_id) DO UPDATE SET"
            " state = excluded.state, children = excluded.children,"
            " last_state_change = excluded.last_state_change, internal_data = excluded.internal_data,"
            " data_hash = excluded.data_hash",
            ((case_id, r.task_id, r.workflow_key, r.spec_name, r.state, r.parent_id, r.children,
              r.triggered, r.last_state_change, r.internal_data, r.data_hash) for r in rows),
        )
        self._executemany("DELETE FROM workflow_tasks WHERE case_id = ? AND task_id = ?",
                   ((case_id, tid) for tid in removed))
        self._executemany("DELETE FROM workflow_tasks WHERE case_id = ? AND workflow_key = ?",
                   ((case_id, key) for key in removed_workflows))

    def append_events(self, case_id: int, version_id: int, events: list[EventRow]) -> None:
        self._executemany(
            "INSERT INTO case_events (case_id, seq, occurred_at, actor, actor_kind, event_type, command, task_id,"
            " bpmn_id, data, process_version_id, prev_hash, hash, request_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((case_id, e.seq, self.dialect.stamp(e.occurred_at), e.actor, e.actor_kind, e.event_type, e.command,
              e.task_id, e.bpmn_id, e.data, version_id, e.prev_hash, e.hash, e.request_id) for e in events),
        )

    def extend_chain(self, case: CaseRow, events: list[EventRow]) -> None:
        """Append events that are no workflow step (evidence) and move the case's chain head and last-change time
        to them; the version stays, as the workflow did not change (a client's ``expected_version`` still holds)."""
        self.append_events(case.id, case.process_version_id, events)
        head = events[-1]
        self._execute("UPDATE cases SET last_event_seq = ?, last_event_hash = ?, updated_at = ?"
                      " WHERE id = ? AND last_event_seq = ?",
                      (head.seq, head.hash, self.dialect.stamp(head.occurred_at), case.id, case.last_event_seq))
        if self.cur.rowcount != 1:
            raise ConcurrencyConflict(f"case {case.id} was changed by someone else; reload and retry")

    # -- human tasks -------------------------------------------------------------------------------

    def upsert_ready_tasks(self, case_id: int, version_id: int, views: Iterable[Any], now: datetime) -> None:
        stamp = self.dialect.stamp(now)
        self._executemany(
            "INSERT INTO human_tasks (id, case_id, process_version_id, bpmn_id, name, lane, candidate_group,"
            " form, state, created_at, due_at, step, warn_at, escalate_to)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET state = 'ready', candidate_group = excluded.candidate_group,"
            # a task offered again keeps its step clock: the warning and overdue already recorded stay recorded
            " due_at = excluded.due_at, step = excluded.step,"
            " warn_at = COALESCE(human_tasks.warn_at, excluded.warn_at),"
            " escalate_to = COALESCE(excluded.escalate_to, human_tasks.escalate_to)",
            ((v.task_id, case_id, version_id, v.bpmn_id, v.name, v.lane, v.candidate_group, v.form, stamp,
              self.dialect.stamp(v.due_at), v.step, self.dialect.stamp(v.warn_at), v.escalate_to) for v in views),
        )

    def end_tasks(self, ended: Iterable[tuple[str, str]], actor: str, now: datetime) -> None:
        """Mark human tasks completed or cancelled: (task id, state) pairs."""
        stamp = self.dialect.stamp(now)
        self._executemany(
            "UPDATE human_tasks SET state = ?, completed_at = ?,"
            " completed_by = CASE WHEN ? = 'completed' THEN ? ELSE NULL END WHERE id = ? AND state = 'ready'",
            ((state, stamp, state, actor, tid) for tid, state in ended),
        )

    def lock_task_case(self, task_id: str, expected_version: int | None) -> tuple[CaseRow, str, str | None]:
        """Lock the case of a human task; returns it with the task's (state, assignee) read under the lock."""
        if self.dialect.sqlite:  # BEGIN IMMEDIATE already holds the database's write lock: one query
            row = self._execute(
                "SELECT c.id, c.process_version_id, c.status, c.version, c.last_event_seq, c.last_event_hash,"
                " c.updated_at, h.state, h.assignee FROM human_tasks h JOIN cases c ON c.id = h.case_id"
                " WHERE h.id = ?", (task_id,)).fetchone()
            if row is None:
                raise NotFound(f"human task {task_id} not found", field="task_id")
            case = _case_row(row)
            self._check_version(case, expected_version)
            return case, row[7], row[8]
        row = self._execute(
            "SELECT id, process_version_id, status, version, last_event_seq, last_event_hash, updated_at FROM cases"
            " WHERE id = (SELECT case_id FROM human_tasks WHERE id = ?) FOR UPDATE", (task_id,)).fetchone()
        if row is None:
            raise NotFound(f"human task {task_id} not found", field="task_id")
        case = _case_row(row)
        self._check_version(case, expected_version)
        _, state, assignee = self.human_task(task_id)  # read after the lock: writers hold the case lock
        return case, state, assignee

    def human_task(self, task_id: str) -> tuple[int, str, str | None]:
        """(case id, state, assignee) of a human task, or NotFound."""
        row = self._execute("SELECT case_id, state, assignee FROM human_tasks WHERE id = ?", (task_id,)).fetchone()
        if row is None:
            raise NotFound(f"human task {task_id} not found", field="task_id")
        return row[0], row[1], row[2]

    def set_assignee(self, task_id: str, assignee: str | None, now: datetime | None) -> None:
        self._execute("UPDATE human_tasks SET assignee = ?, claimed_at = ? WHERE id = ?",
                   (assignee, self.dialect.stamp(now), task_id))

    # -- timers and message waits ------------------------------------------------------------------

    def sync_timers(self, case_id: int, pending: Iterable[Any], ended: Iterable[tuple[str, str, int]],
                    now: datetime) -> None:
        """Upsert waiting timers (with firings counted) and end the ones that fired or were cancelled."""
        stamp = self.dialect.stamp(now)
        self._executemany(
            "INSERT INTO timers (case_id, task_id, bpmn_id, name, kind, due_at, status, fire_count, fired_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (task_id) DO UPDATE SET"
            " due_at = excluded.due_at, status = 'pending', fire_count = timers.fire_count + excluded.fire_count,"
            " fired_at = COALESCE(excluded.fired_at, timers.fired_at)",
            ((case_id, t.task_id, t.bpmn_id, t.name, t.kind, self.dialect.stamp(t.due_at), t.fired,
              stamp if t.fired else None) for t in pending),
        )
        self._executemany(
            "UPDATE timers SET status = ?, fire_count = fire_count + ?,"
            " fired_at = CASE WHEN ? > 0 THEN ? ELSE fired_at END WHERE task_id = ? AND status = 'pending'",
            ((status, fired, fired, stamp, tid) for tid, status, fired in ended),
        )

    def timer_case(self, timer_id: int) -> int:
        """The case a timer belongs to (NotFound for an unknown timer)."""
        row = self._execute("SELECT case_id FROM timers WHERE id = ?", (timer_id,)).fetchone()
        if row is None:
            raise NotFound(f"timer {timer_id} not found", field="timer_id")
        case_id: int = row[0]
        return case_id

    def timer_for_firing(self, timer_id: int) -> tuple[int, str, str, datetime] | None:
        """(case id, task id, status, due) of a timer, locked; None while another scheduler holds it."""
        row = self._execute("SELECT case_id, task_id, status, due_at FROM timers WHERE id = ?"
                           + self.dialect.skip_locked, (timer_id,)).fetchone()
        if row is None:
            if self._execute("SELECT 1 FROM timers WHERE id = ?", (timer_id,)).fetchone() is None:
                raise NotFound(f"timer {timer_id} not found", field="timer_id")
            return None
        return row[0], row[1], row[2], as_utc_not_null(row[3])

    def fail_timer(self, timer_id: int, error: str, now: datetime) -> str | None:
        """Mark a pending timer failed with its error; returns its task id (None if no longer pending)."""
        row = self._execute("SELECT task_id FROM timers WHERE id = ? AND status = 'pending'", (timer_id,)).fetchone()
        if row is None:
            return None
        self._execute("UPDATE timers SET status = 'failed', error = ?, fired_at = ? WHERE id = ?",
                     (error[:2000], self.dialect.stamp(now), timer_id))
        task_id: str = row[0]
        return task_id

    def sync_message_waits(self, case_id: int, waits: Iterable[Any], ended: Iterable[str]) -> None:
        self._executemany("DELETE FROM message_waits WHERE task_id = ?", ((tid,) for tid in ended))
        self._executemany(
            "INSERT INTO message_waits (case_id, task_id, name, correlation) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (task_id) DO UPDATE SET correlation = excluded.correlation",
            ((case_id, w.task_id, w.name, canonical_json(w.correlation)) for w in waits),
        )

    def cancel_gone(self, gone: Sequence[str], now: datetime) -> None:
        """Tasks removed from the tree: cancel their human task, timer and message wait rows."""
        if not gone:
            return
        self.end_tasks(((tid, "cancelled") for tid in gone), "engine", now)
        self.sync_timers(0, (), ((tid, "cancelled", 0) for tid in gone), now)
        self._executemany("DELETE FROM message_waits WHERE task_id = ?", ((tid,) for tid in gone))

    def message_waits(self, name: str) -> list[tuple[int, str, str]]:
        """(case id, task id, correlation JSON) of every event waiting for message ``name``."""
        waits: list[tuple[int, str, str]] = self._execute(
            "SELECT case_id, task_id, correlation FROM message_waits WHERE name = ?"
            " ORDER BY case_id, task_id", (name,)).fetchall()
        return waits

    # -- outbox ------------------------------------------------------------------------------------

    def add_outbox(self, case_id: int, messages: Iterable[Any], now: datetime) -> list[int]:
        """Store thrown messages (name, payload, correlation) in this transaction; returns their ids."""
        ids = []
        for message in messages:
            row = self._execute(
                "INSERT INTO outbox (case_id, name, payload, correlation, created_at, attempts)"
                " VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
                (case_id, message.name, canonical_json(message.payload), canonical_json(message.correlation),
                 self.dialect.stamp(now))).fetchone()
            ids.append(row[0])
        return ids

    def outbox_message(self, outbox_id: int) -> tuple[int, str, str, str, bool] | None:
        """(case id, name, payload JSON, correlation JSON, delivered) of an outbox row."""
        row = self._execute("SELECT case_id, name, payload, correlation, delivered_at FROM outbox WHERE id = ?",
                           (outbox_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4] is not None)

    def mark_outbox(self, outbox_id: int, now: datetime, error: str | None) -> None:
        """Count a delivery attempt; without an error the message is delivered."""
        # The delivery time is chosen here, not by ``CASE WHEN ? IS NULL``: PostgreSQL cannot type a bare text
        # parameter in IS NULL (IndeterminateDatatype), which failed every failed delivery's bookkeeping.
        delivered = self.dialect.stamp(now) if error is None else None
        self._execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                      " delivered_at = COALESCE(?, delivered_at) WHERE id = ?", (error, delivered, outbox_id))

    def undelivered_outbox(self, created_before: datetime, max_attempts: int, limit: int) -> list[int]:
        """Ids of messages still undelivered that were written before ``created_before``."""
        rows = self._execute(
            "SELECT id FROM outbox WHERE delivered_at IS NULL AND created_at <= ? AND attempts < ?"
            " ORDER BY created_at LIMIT ?", (self.dialect.stamp(created_before), max_attempts, limit)).fetchall()
        return [r[0] for r in rows]
