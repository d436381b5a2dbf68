"""Audit event types (past tense) and the hash chain that makes the case log tamper-evident."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

CASE_STARTED = "case_started"
CASE_COMPLETED = "case_completed"
TASK_READY = "task_ready"
TASK_CLAIMED = "task_claimed"
TASK_UNCLAIMED = "task_unclaimed"
TASK_REASSIGNED = "task_reassigned"  # 改派 by a supervisor: {"task", "from", "to", "reason"}
TASK_FORCE_RELEASED = "task_force_released"  # 强制释放 by a supervisor: {"task", "from", "reason"}
TASK_COMPLETED = "task_completed"
TASK_CANCELLED = "task_cancelled"
TIMER_WAITING = "timer_waiting"
TIMER_FIRED = "timer_fired"
TIMER_CANCELLED = "timer_cancelled"
TIMER_FAILED = "timer_failed"
MESSAGE_RECEIVED = "message_received"
CASE_MIGRATED = "case_migrated"  # moved to another version of its process: {"from_version", "to_version"}
# What a step did to the case's data, and the handbook facts read from it (engine/domain/audit/facts.py).
DATA_CHANGED = "data_changed"  # {"changes": {"dotted.path": [before, after]}}
DEADLINE_SET = "deadline_set"  # {"after"}
DEADLINE_MOVED = "deadline_moved"  # {"before", "after"}
EXTENSION_GRANTED = "extension_granted"  # {"due_at"}
CASE_SUSPENDED = "case_suspended"  # {"at"}
CASE_RESUMED = "case_resumed"  # {"at"}
CASE_CLOSED = "case_closed"  # 结案 {"close_type", "on_time"}
CASE_VOIDED = "case_voided"  # 作废 {"reason"}
# Evidence kept for the case (no workflow step): {"sha256", "content_type", "size", "filename"}, plus
# {"addendum": true, "note"} when added after the case closed; the uploader is the event's actor (and kind).
ATTACHMENT_ADDED = "attachment_added"
# External service-task jobs (engine/domain/jobs.py) and incidents: {"topic"}; {"worker", "variables"};
# {"worker", "error"} (out of retries: an incident); {"worker", "code", "message", "variables"}; the task ended
JOB_CREATED = "job_created"
JOB_COMPLETED = "job_completed"
JOB_FAILED = "job_failed"
JOB_BPMN_ERROR = "job_bpmn_error"
JOB_CANCELLED = "job_cancelled"
INCIDENT_RETRIED = "incident_retried"  # {"incident", "kind", "retries", "note"}
INCIDENT_RESOLVED = "incident_resolved"  # {"incident", "kind", "note"}
# The step clock (engine.service.step_clock): a task past its warning time, past its due time (escalated to a group)
TASK_WARNED = "task_warned"  # {"task", "step", "warn_at", "due_at"}
TASK_OVERDUE = "task_overdue"  # {"task", "step", "due_at", "escalate_to"}
DUPLICATE_LINKED = "duplicate_linked"  # on the original: a report voided as its duplicate {"duplicate", "by"}
# A census sweep's records (city.campaigns), in the sweep case's chain: a checklist item ticked or counted
# {"topic", "item", "result", "count"}; a finding {"finding", "topic", "item", "kind", "subtype", "case_no"}; a
# watched hazard's new state {"finding", "state", "note"}
SWEEP_CHECK_RECORDED = "sweep_check_recorded"
CAMPAIGN_FINDING_RECORDED = "campaign_finding_recorded"
WATCHED_HAZARD_UPDATED = "watched_hazard_updated"
# Law enforcement (city.enforcement), in the originating case's chain: transferred to enforcement {"enforcement_case",
# "reason", "team"}; the enforcement case's result when it ended {"enforcement_case", "number", "stage", "result",
# "penalty", "fine"}
ENFORCEMENT_TRANSFERRED = "enforcement_transferred"
ENFORCEMENT_CONCLUDED = "enforcement_concluded"
# A waste case linked to a decoration works without a registered removal (city.decoration), in the works case's
# chain: {"case_no", "subtype", "reason", "distance_m"}
DECORATION_CASE_LINKED = "decoration_case_linked"
# An assessment inspection's item recorded (city.assessment), in the inspection case's chain: {"inspection", "visit",
# "item", "result", "deduction", "deduction_code", "note", "photos"}
ASSESSMENT_ITEM_RECORDED = "assessment_item_recorded"

# The command that began a step, on its first event: replay re-runs it from the recorded input.
START_CASE_COMMAND = "start_case"
COMPLETE_TASK_COMMAND = "complete_task"
CLAIM_TASK_COMMAND = "claim_task"
UNCLAIM_TASK_COMMAND = "unclaim_task"
REASSIGN_TASK_COMMAND = "reassign_task"  # writes one task_reassigned; no workflow step
FORCE_RELEASE_TASK_COMMAND = "force_release_task"  # writes one task_force_released; no workflow step
DELIVER_MESSAGE_COMMAND = "deliver_message"
FIRE_TIMER_COMMAND = "fire_timer"
MIGRATE_CASE_COMMAND = "migrate_case"
TIMER_FAILURE_COMMAND = "record_timer_failure"
UPLOAD_ATTACHMENT_COMMAND = "upload_attachment"  # writes one attachment_added; replay re-runs no workflow for it
COMPLETE_JOB_COMMAND = "complete_job"
THROW_JOB_ERROR_COMMAND = "throw_job_error"
JOB_FAILURE_COMMAND = "record_job_failure"  # writes one job_failed; no workflow step
RETRY_INCIDENT_COMMAND = "retry_incident"  # writes one incident_retried; no workflow step
RESOLVE_INCIDENT_COMMAND = "resolve_incident"  # writes one incident_resolved; no workflow step
LINK_DUPLICATE_COMMAND = "link_duplicate"  # writes one duplicate_linked on the original; no workflow step
CLOCK_TASKS_COMMAND = "clock_tasks"  # each task_warned / task_overdue is a step of its own; no workflow step
RECORD_SWEEP_COMMAND = "record_sweep"  # writes one sweep record (check, finding, watched hazard); no workflow step
RECORD_ENFORCEMENT_COMMAND = "record_enforcement"  # one enforcement event on the originating case; no workflow step
LINK_DECORATION_CASE_COMMAND = "link_decoration_case"  # one decoration_case_linked; no workflow step
RECORD_ASSESSMENT_ITEM_COMMAND = "record_assessment_item"  # one assessment_item_recorded; no workflow step

# Who acted: recorded with every event (and hashed), so "who did it" cannot be re-labelled later.
ACTOR_KINDS = ("person", "scheduler", "api_client", "vision_worker", "system")
_SYSTEM_ACTORS = {"scheduler": "scheduler", "system": "system", "outbox": "system"}

GENESIS_HASH = "0" * 64


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode


def actor_kind_of(actor: str, kind: str | None = None) -> str:
    """The kind of ``actor``: the one given, else the scheduler and engine's own names, else a person."""
    if kind is not None:
        if kind not in ACTOR_KINDS:
            raise ValueError(f"unknown actor kind {kind!r} (one of {', '.join(ACTOR_KINDS)})")
        return kind
    if actor.startswith("case:"):  # a message another case threw
        return "system"
    return _SYSTEM_ACTORS.get(actor, "person")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    if not value and isinstance(value, dict):
        return "{}"
    return _ENCODE(value)


def event_hash(
    prev_hash: str,
    *,
    case_id: int,
    seq: int,
    occurred_at: datetime,
    actor: str,
    event_type: str,
    task_id: str | None,
    bpmn_id: str | None,
    data: dict[str, Any] | None = None,
    process_version_id: int,
    data_json: str | None = None,
    actor_kind: str | None = None,
    command: str | None = None,
    request_id: str | None = None,
) -> str:
    """Hash one audit row together with its predecessor's hash (per-case chain).

    ``data_json`` is the stored canonical JSON of ``data``; pass either. ``actor_kind`` and ``command``
    (set on the first event of a command's step) are both None only for rows written before they
    were recorded, which were hashed without them; ``request_id`` (the request, timer firing or CLI run that wrote
    the row) is hashed after them when set, so rows without one keep the hash they were written with.
    """
    # In UTC, as stored: a clock in another zone must not give a hash the stored row cannot reproduce.
    fields: list[Any] = [case_id, seq, occurred_at.astimezone(UTC).isoformat(), actor, event_type, task_id, bpmn_id,
                         process_version_id]
    if actor_kind is not None or command is not None or request_id is not None:
        fields += [actor_kind, command]
    if request_id is not None:  # 11 fields: no row of 8 or 10 can give the same head
        fields.append(request_id)
    head = canonical_json(fields)
    body = data_json if data_json is not None else canonical_json(data or {})
    return hashlib.sha256(f"{prev_hash}{head}{body}".encode()).hexdigest()
