"""``python -m bench.state_encoding [REPORTS]``: encoding workflow state, the registry path against the shortcuts.

The states are real: a fresh SQLite city (migrated, demo seeded, the models deployed, a typhoon declared) takes
REPORTS typhoon reports (default 40) through the bus, each a lifecycle case located, filed and dispatched by rule
in one step; then every case's workflow is restored from its rows. Each round encodes every task of every state
both ways — the row and data JSON as the SpiffWorkflow serializer registry made them before
(``engine.bpmn.task_json.registry_json``), and ``engine.bpmn.state.encode_task`` — checks they are byte for byte the
same, and times them, interleaved; the medians and their ratio are printed as JSON. The memo of encoded content is
emptied before every round (``new_ms``), and in a third variant before every case (``new_cold_per_case_ms``: no help
from other cases, as a case's first step in a burst)."""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.burst_bench import _declare_typhoon, reports
from bench.replay import _city_working_time
from bench.web_bench import _gridcase
from city.bootstrap import bootstrap
from city.commands import ReportProblem
from engine.bpmn import task_json
from engine.bpmn.runner import WorkflowRunner
from engine.bpmn.state import TaskRow, _id_list, encode_task, workflows
from engine.persistence.repositories.audit import case_ids

ROUNDS = 5
State = list[tuple[Any, str]]  # (task, workflow key) of one case's workflow


def legacy_encode_task(task: Any, workflow_key: str) -> tuple[TaskRow, str]:
    """``encode_task`` as it was: data and internal data through the registry, the data hashed every time."""
    data_json = task_json.registry_json(task.data)
    row = TaskRow(
        task_id=str(task.id), workflow_key=workflow_key, spec_name=task.task_spec.name, state=task._state,
        parent_id=str(task._parent) if task._parent is not None else None, children=_id_list(task._children),
        triggered=bool(task.triggered), last_state_change=task.last_state_change,
        internal_data=task_json.registry_json(task.internal_data),
        data_hash=hashlib.sha256(data_json.encode("utf-8")).hexdigest(),
    )
    return row, data_json


def _states(url: str, count: int) -> list[State]:
    """Send ``count`` typhoon reports through a fresh city's bus, then restore every case's workflow."""
    _gridcase(url, "db", "upgrade")
    _gridcase(url, "demo", "seed")
    _declare_typhoon(url)
    bus = bootstrap(url, working_time=_city_working_time())
    try:
        for body in reports(count, "enc-")[:count]:
            bus.handle(ReportProblem(actor="seat01", **body))
        states = []
        with bus.deps.uow(read_only=True) as uow:
            store = uow.store
            for case_id in case_ids(store):
                loaded = bus.deps.spec(uow, store.lock_case(case_id).process_version_id)
                runner = WorkflowRunner.restore(loaded, store.workflow_json(case_id), store.task_rows(case_id))
                states.append([(task, key) for key, wf in workflows(runner.workflow) for task in wf.tasks.values()])
        return states
    finally:
        bus.deps.db.dispose()


def _encode_all(states: list[State], encode: Callable[[Any, str], tuple[TaskRow, str]],
                forget_per_case: bool) -> list[tuple[TaskRow, str]]:
    out: list[tuple[TaskRow, str]] = []
    for state in states:
        if forget_per_case:
            task_json._MEMO.clear()
        out.extend(encode(task, key) for task, key in state)
    return out


def _timed(states: list[State], encode: Callable[[Any, str], tuple[TaskRow, str]],
           forget_per_case: bool = False) -> tuple[float, list[tuple[TaskRow, str]]]:
    task_json._MEMO.clear()
    started = time.perf_counter()
    encoded = _encode_all(states, encode, forget_per_case)
    return (time.perf_counter() - started) * 1000, encoded


def measure(states: list[State], rounds: int = ROUNDS) -> dict[str, Any]:
    """Median milliseconds to encode every state the old way and the new ones, interleaved round by round."""
    old_ms, new_ms, cold_ms = [], [], []
    identical = True
    for _ in range(rounds):
        spent, old = _timed(states, legacy_encode_task)
        old_ms.append(spent)
        spent, new = _timed(states, encode_task)
        new_ms.append(spent)
        spent, cold = _timed(states, encode_task, forget_per_case=True)
        cold_ms.append(spent)
        identical = identical and old == new == cold
    old_median, new_median, cold_median = (statistics.median(v) for v in (old_ms, new_ms, cold_ms))
    tasks = sum(map(len, states))
    return {
        "cases": len(states), "tasks": tasks, "rounds": rounds, "identical": identical,
        "data_json_bytes": sum(len(text.encode("utf-8")) for _, text in old),
        "old_ms": round(old_median, 2), "new_ms": round(new_median, 2), "new_cold_per_case_ms": round(cold_median, 2),
        "old_us_per_task": round(old_median / tasks * 1000, 2), "new_us_per_task": round(new_median / tasks * 1000, 2),
        "ratio": round(old_median / new_median, 2), "ratio_cold_per_case": round(old_median / cold_median, 2),
    }


def run(count: int = 40, rounds: int = ROUNDS) -> dict[str, Any]:
    """Build the states of ``count`` burst reports in a temporary SQLite city and measure both encodings, for all
    states and for each process's (the reports' lifecycle cases, the typhoon's emergency and assembly calls)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'states.db'}"
        states = _states(url, count)
    by_process: dict[str, list[State]] = {}
    for state in states:
        by_process.setdefault(state[0][0].workflow.spec.name, []).append(state)
    return {"reports": count, **measure(states, rounds),
            "by_process": {name: measure(group, rounds) for name, group in sorted(by_process.items())}}


def main() -> None:
    """Print the figures as JSON; exit non-zero when the encodings differ."""
    os.environ.setdefault("GRIDCASE_LOG_LEVEL", "WARNING")
    figures = run(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
    print(json.dumps(figures, indent=2))
    if not figures["identical"]:
        sys.exit("the new encoding differs from the registry path")


if __name__ == "__main__":
    main()
