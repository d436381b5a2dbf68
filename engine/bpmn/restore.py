"""Workflow-level state and restoring a workflow from its stored rows (with the cached spec)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.bpmn.specs import SERIALIZER, LoadedSpec
from engine.bpmn.state import TOP, dumps, encode_task, workflows

_REGISTRY = SERIALIZER.registry


def _workflow_fields(wf: Any) -> dict[str, Any]:
    return {
        "data": _REGISTRY.convert(_REGISTRY.clean(wf.data)),
        "correlations": wf.correlations,
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "success": wf.success,
        "completed": wf.completed,
        "root": str(wf.task_tree.id),
    }


def workflow_meta(workflow: BpmnWorkflow) -> str:
    """Workflow-level state without tasks or spec, as JSON for the ``cases`` row."""
    meta = _workflow_fields(workflow)
    meta["bpmn_events"] = _REGISTRY.convert(workflow.bpmn_events)
    meta["subprocesses"] = {
        str(key): {**_workflow_fields(sub), "parent_task_id": str(sub.parent_task_id), "spec": sub.spec.name}
        for key, sub in workflow.subprocesses.items()
    }
    return dumps(meta)


def restore_workflow(loaded: LoadedSpec, meta_json: str, rows: list[dict[str, Any]]) -> BpmnWorkflow:
    """Rebuild a workflow from its ``cases`` meta and ``workflow_tasks`` rows (with ``data`` JSON)."""
    meta = json.loads(meta_json)
    by_workflow: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_workflow.setdefault(row["workflow_key"], {})[row["task_id"]] = _task_dict(row)
    serialized = {
        **{k: v for k, v in meta.items() if k != "subprocesses"},
        "tasks": by_workflow.get(TOP, {}),
        "subprocesses": {
            key: {**sub, "typename": "BpmnSubWorkflow", "tasks": by_workflow.get(key, {})}
            for key, sub in meta["subprocesses"].items()
        },
    }
    return _from_serialized(loaded, serialized)


def _task_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "typename": "Task",
        "id": row["task_id"],
        "parent": row["parent_id"],
        "children": json.loads(row["children"]),
        "last_state_change": row["last_state_change"],
        "state": row["state"],
        "task_spec": row["spec_name"],
        "triggered": bool(row["triggered"]),
        "internal_data": json.loads(row["internal_data"]),
        "data": json.loads(row["data"]),
        "delta": {},
    }


def _from_serialized(loaded: LoadedSpec, dct: dict[str, Any]) -> BpmnWorkflow:
    # Mirrors SpiffWorkflow's BpmnWorkflowConverter.from_dict, but with the cached spec objects.
    workflow = BpmnWorkflow(loaded.spec, loaded.subprocess_specs, deserializing=True)
    workflow.tasks = {UUID(k): _REGISTRY.restore(v, workflow=workflow) for k, v in dct["tasks"].items()}
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    _set_workflow_fields(workflow, dct)
    _restore_subprocesses(workflow, dict(dct["subprocesses"]))
    workflow.bpmn_events = _REGISTRY.restore(dct.get("bpmn_events", []))
    return workflow


def _set_workflow_fields(wf: Any, dct: dict[str, Any]) -> None:
    wf.success = dct["success"]
    wf.completed = dct.get("completed", False)
    wf.correlations = dct.get("correlations", {})
    if isinstance(dct["last_task"], str):
        wf.last_task = wf.tasks.get(UUID(dct["last_task"]))
    wf.data = _REGISTRY.restore(dct.get("data", {}))


def _restore_subprocesses(workflow: BpmnWorkflow, pending: dict[str, Any], parent: Any = None) -> None:
    source = parent or workflow
    for task in list(source.tasks.values()):
        if isinstance(task.task_spec, SubWorkflowTask) and str(task.id) in pending:
            sub_dct = pending.pop(str(task.id))
            spec = workflow.subprocess_specs.get(task.task_spec.spec)
            sub = BpmnSubWorkflow(spec, task.id, workflow, deserializing=True)
            sub.tasks = {UUID(k): _REGISTRY.restore(v, workflow=sub) for k, v in sub_dct["tasks"].items()}
            sub.task_tree = sub.tasks.get(UUID(sub_dct["root"]))
            _set_workflow_fields(sub, sub_dct)
            workflow.subprocesses[task.id] = sub
            sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            _restore_subprocesses(workflow, pending, sub)


def full_state(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Every task encoded plus the workflow meta: what a store-and-reload must reproduce exactly."""
    tasks = {}
    for key, wf in workflows(workflow):
        for task in wf.tasks.values():
            row, data_json = encode_task(task, key)
            tasks[row.task_id] = (row, data_json)
    return {"meta": workflow_meta(workflow), "tasks": tasks}
