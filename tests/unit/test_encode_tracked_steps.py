"""The state tracker over real SpiffWorkflow steps: every row and data blob it writes is what the registry path wrote,
also when a live task's data is changed in place between steps and when the data holds datetimes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.specs import parse_bundles, restore_spec
from engine.bpmn.state import StateDiff, StateTracker, TaskRow, workflows
from engine.bpmn.task_json import registry_json
from engine.service.deploy import read_sources

ROUND_LOOP = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "round_loop.bpmn"


def legacy_row(task: Any, key: str) -> tuple[TaskRow, str]:
    """The row and data JSON as ``encode_task`` made them through the registry."""
    data_json = registry_json(task.data)
    children = '["' + '","'.join(map(str, task._children)) + '"]' if task._children else "[]"
    return TaskRow(str(task.id), key, task.task_spec.name, task._state,
                   str(task._parent) if task._parent is not None else None, children, bool(task.triggered),
                   task.last_state_change, registry_json(task.internal_data),
                   hashlib.sha256(data_json.encode("utf-8")).hexdigest()), data_json


def check(workflow: BpmnWorkflow, diff: StateDiff) -> set[str]:
    """The ids of the rows the diff writes, each checked against the registry path."""
    expected = {str(task.id): legacy_row(task, key) for key, wf in workflows(workflow) for task in wf.tasks.values()}
    for row in diff.rows:
        assert row == expected[row.task_id][0]
        assert diff.blobs[row.data_hash] == expected[row.task_id][1]
    return {row.task_id for row in diff.rows}


def test_rows_over_steps_match_the_registry_path() -> None:
    (bundle,) = parse_bundles(read_sources([ROUND_LOOP]))
    loaded = restore_spec(1, bundle.process_id, bundle.spec_json)
    workflow = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
    tracker = StateTracker(workflow, fresh=True)
    workflow.do_engine_steps()
    written = len(check(workflow, tracker.diff()))
    notes: dict[str, Any] = {"seen": []}
    for number in range(3):
        (work,) = workflow.get_tasks(state=TaskState.READY)
        for change in ("first", "second"):  # the second change is deep inside data already encoded
            work.data.setdefault("notes", notes)["seen"].append({"round": number, "change": change, "ok": True})
            # The live task's data changed in place: its row is written again, with the new data.
            assert check(workflow, tracker.diff()) == {str(work.id)}
        work.data.update(again=number < 2, count=number, last=float(number))
        if number == 2:  # a datetime: no longer plain JSON, the registry converts it
            work.data["at"] = datetime(2026, 10, 1, tzinfo=UTC)
        work.run()
        workflow.do_engine_steps()
        written += len(check(workflow, tracker.diff()))
    assert workflow.completed and written > 10
    assert '"typename":"datetime"' in registry_json(workflow.last_task.data)
