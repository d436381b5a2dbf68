"""Starting many cases of one process inside the caller's unit of work (a campaign's sweeps, one per grid).

One version lookup, one shared spec, one transaction: each case is inserted and its first step persisted by the
same code ``StartCase`` uses (``engine.service.handlers.start_in``), so every case gets its number, summary, tasks,
timers, audit chain and step hooks exactly as if it had been started alone — only without a transaction, a
version lookup and a cache round trip per case. The caller checked what it starts (no start form, no starter
check: these are the engine's and the city's own starts). After the commit the caller hands the result to
``finish_bulk`` (runners kept hot, the stored state verified in tests, thrown messages delivered).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.bpmn.runner import WorkflowRunner
from engine.domain import commands as c
from engine.domain.errors import NotFound
from engine.persistence.repositories.summaries import live_case_no
from engine.persistence.repositories.versions import latest_version
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import check_data, check_text, finish_command, ready_ids, start_in
from engine.service.notification_hook import NotificationHook


@dataclass
class StartedCase:
    """One case a bulk start began: its id, number, version after the first step, ready tasks."""

    case_id: int
    case_no: str | None
    version: int
    ready_tasks: tuple[str, ...]
    runner: WorkflowRunner
    outcome: Any


def start_cases_in(uow: UnitOfWork, deps: Deps, process_id: str, payloads: Sequence[dict[str, Any]], actor: str,
                   now: datetime, *, actor_kind: str | None = None, notify: bool = True,
                   numbers: bool = True, channel: str | None = None,
                   external_ids: Sequence[str] | None = None) -> list[StartedCase]:
    """Start one case of the newest version of ``process_id`` per payload, in ``uow`` (the caller's transaction);
    NotFound naming ``process_id`` when none is deployed. In payload order.

    ``notify=False``: the notification hook is left out of the cases' first steps — thousands of tasks made ready
    for one group are announced once by the caller (a campaign's case tells its teams), not once each; every other
    step hook (the city's facts, its campaign rows) runs as for any step. ``numbers=False``: the cases' numbers are
    not read back (one query less per case; ``case_no`` None), for callers that keep the case ids. ``channel`` and
    ``external_ids`` (one per payload) key the cases so the caller finds each again (an emergency's call cases)."""
    check_text(actor, "actor")
    check_text(process_id, "process_id")
    version = latest_version(uow.store, process_id)
    if version is None:
        raise NotFound(f"no deployed process {process_id!r}", field="process_id")
    deps.spec(uow, version.id)  # restored once here, shared by every case
    hooks = [h for h in deps.step_hooks if notify or not isinstance(h, NotificationHook)]
    started = []
    store = uow.store
    for index, payload in enumerate(payloads):
        cmd = c.StartCase(process_id, check_data(payload), actor, actor_kind=actor_kind)
        case = store.insert_case(process_id=process_id, version_id=version.id, actor=actor, channel=channel,
                                 external_id=None if external_ids is None else external_ids[index], now=now)
        runner, outcome, new_version = start_in(uow, deps, case, version.number, cmd, now, hooks=hooks)
        number = live_case_no(store, case.id) if numbers else None
        started.append(StartedCase(case.id, number, new_version, ready_ids(outcome), runner, outcome))
    return started


def finish_bulk(deps: Deps, ctx: HandlerContext, started: Sequence[StartedCase]) -> None:
    """After the commit: what ``StartCase`` does after its own (``finish_command``) for every case started."""
    for case in started:
        finish_command(deps, ctx, case.case_id, case.version, case.runner, case.outcome)
