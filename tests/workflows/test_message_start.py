"""detection_intake: a camera_detection message that no case waits for starts a new case (message start)."""

from __future__ import annotations

import json
from typing import Any

from fixture_types import Rows, Snapshot, Sql, TaskData

from engine.domain import commands as c
from engine.service.bus import MessageBus
from engine.service.handlers import CaseRef

DETECTION = {"camera": "cam-07", "label": "exposed_garbage", "score": 0.91, "grid": "110101001"}


def detect(bus: MessageBus, payload: dict[str, Any], external_id: str | None = None) -> list[CaseRef]:
    channel = None if external_id is None else "camera"
    return bus.handle(c.SendMessage("camera_detection", payload, "vision", channel=channel, external_id=external_id))


def test_detection_payload_becomes_the_case_start_data(each_bus: MessageBus, sql: Sql, events: Rows,
                                                       task_data: TaskData) -> None:
    (ref,) = detect(each_bus, DETECTION, "det-1")
    assert ref.created
    (case,) = sql("SELECT process_id, channel, external_id, started_by, status FROM cases WHERE id = :id",
                  id=ref.case_id)
    assert tuple(case) == ("detection_intake", "camera", "det-1", "vision", "running")
    started = events(ref.case_id)[0]
    assert (started.event_type, started.actor) == ("case_started", "vision")
    assert json.loads(started.data) == {"process_id": "detection_intake", "version": 1, "channel": "camera",
                                        "external_id": "det-1", "data": DETECTION,
                                        "start_message": "camera_detection"}
    (start_data,) = task_data(ref.case_id, "detection_received")
    assert start_data.items() >= DETECTION.items()


def test_detection_case_is_ready_for_review_at_once(each_bus: MessageBus, sql: Sql, events: Rows,
                                                    task_data: TaskData) -> None:
    (ref,) = detect(each_bus, DETECTION)
    assert len(ref.ready_tasks) == 1, "the start message must be caught by the case it started"
    (review,) = sql("SELECT id, bpmn_id, state FROM human_tasks WHERE case_id = :id", id=ref.case_id)
    assert (review.id, review.bpmn_id, review.state) == (ref.ready_tasks[0], "review_detection", "ready")
    assert sql("SELECT * FROM message_waits WHERE case_id = :id", id=ref.case_id) == []
    assert task_data(ref.case_id, "review_detection")[0].items() >= DETECTION.items()

    each_bus.handle(c.CompleteHumanTask(review.id, {"verdict": "confirmed"}, "olga"))
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
    assert events(ref.case_id)[-1].event_type == "case_completed"


def test_repeated_detection_gives_one_case(each_bus: MessageBus, sql: Sql, snapshot: Snapshot) -> None:
    (first,) = detect(each_bus, DETECTION, "det-1")
    before = snapshot(first.case_id)
    (again,) = detect(each_bus, DETECTION, "det-1")
    assert (again.case_id, again.created) == (first.case_id, False)
    assert sql("SELECT COUNT(*) AS n FROM cases")[0].n == 1
    assert snapshot(first.case_id) == before


def test_distinct_detections_start_distinct_cases(each_bus: MessageBus, sql: Sql, events: Rows) -> None:
    other = {**DETECTION, "camera": "cam-09"}
    (first,) = detect(each_bus, DETECTION, "det-1")
    (second,) = detect(each_bus, other, "det-2")
    assert second.case_id != first.case_id and second.created
    cases = sql("SELECT id, external_id FROM cases ORDER BY id")
    assert [(r.id, r.external_id) for r in cases] == [(first.case_id, "det-1"), (second.case_id, "det-2")]
    first_log = [json.loads(e.data).get("payload") for e in events(first.case_id)]
    assert other not in first_log, "det-2's payload was delivered into det-1's case"
