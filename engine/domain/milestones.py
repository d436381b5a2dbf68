"""Milestones: what the city domain needs to know about a lifecycle's tasks, declared in the model.

A task of a case lifecycle names its milestone with the extension property ``milestone`` (e.g.
``<spiffworkflow:property name="milestone" value="dispatched"/>`` on the 派遣 task). The engine reads
them from the deployed version (``engine.bpmn.milestones``) as a plain mapping BPMN id → milestone, so
facts, the deadline light and replay frames never compare task ids and a designer may rename any task.

What each milestone means to the code that reads it:

- ``verified``, ``dispatched``, ``checked``: whoever completes the task is the case's verifier, dispatcher
  or checker (the collector and dispatcher indicators, docs/kpi.md);
- ``checked``, ``closed``: while such a task is ready the disposal deadline no longer runs (no light);
- ``suspended``: while such a task is ready the case is suspended (挂账, grey light);
- ``reported``, ``filed``, ``disposed`` (and the others): the step an imported case's time stands for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from engine.domain.summary import light

REPORTED, VERIFIED, FILED, DISPATCHED = "reported", "verified", "filed", "dispatched"
DISPOSED, CHECKED, CLOSED, SUSPENDED = "disposed", "checked", "closed", "suspended"
# Every milestone, in the order of the handbook, with its name in the handbook's words.
MILESTONES: dict[str, str] = {
    REPORTED: "登记 registered", VERIFIED: "核实 verified on site", FILED: "立案/作废 filed or voided",
    DISPATCHED: "派遣 dispatched", DISPOSED: "处置 disposed", CHECKED: "核查 checked on site", CLOSED: "结案 closed",
    SUSPENDED: "恢复处置 waiting to resume a suspended case (挂账)",
}
# A lifecycle without these cannot be evaluated; 挂账 is optional (a lifecycle may have no suspension).
REQUIRED = (REPORTED, VERIFIED, FILED, DISPATCHED, DISPOSED, CHECKED, CLOSED)
# Milestones read from a person's task (its doer, or its being ready); ``reported`` may be any task.
HUMAN = frozenset(MILESTONES) - {REPORTED}
ROLES = {VERIFIED: "verifier", DISPATCHED: "dispatcher", CHECKED: "checker"}
AFTER_DISPOSAL = frozenset({CHECKED, CLOSED})
SUSPENSION = frozenset({SUSPENDED})
# The milestone of an imported (history) case's step times: (time field, doer field, milestone).
HISTORY_STEPS = (("reported_at", "reporter", REPORTED), ("verified_at", "verifier", VERIFIED),
                 ("filed_at", None, FILED), ("dispatched_at", "dispatcher", DISPATCHED),
                 ("disposed_at", None, DISPOSED), ("checked_at", "checker", CHECKED), ("closed_at", None, CLOSED))

Milestones = Mapping[str, str]  # BPMN id → milestone, of one process version


def steps_of(milestones: Milestones, *names: str) -> frozenset[str]:
    """The BPMN ids whose milestone is one of ``names``."""
    return frozenset(bpmn_id for bpmn_id, milestone in milestones.items() if milestone in names)


def step_of(milestones: Milestones, name: str) -> str | None:
    """The (first, by BPMN id) task that declares milestone ``name``; None when the version has none."""
    return min(steps_of(milestones, name), default=None)


def reached(bpmn_ids: Iterable[str | None], milestones: Milestones) -> frozenset[str]:
    """The milestones of these tasks (those without one are left out)."""
    return frozenset(found for bpmn_id in bpmn_ids if bpmn_id and (found := milestones.get(bpmn_id)))


def deadline_paused(ready: Iterable[str | None], milestones: Milestones) -> bool:
    """Whether a ready task means the disposal deadline no longer runs (waiting for 核查 or 结案)."""
    return bool(reached(ready, milestones) & AFTER_DISPOSAL)


def suspended(ready: Iterable[str | None], milestones: Milestones) -> bool:
    """Whether a ready task means the case is suspended (挂账: waiting to resume)."""
    return bool(reached(ready, milestones) & SUSPENSION)


def deadline_light(due: datetime | None, warn: datetime | None, now: datetime, *, ready: Iterable[str | None],
                   milestones: Milestones, ended: bool) -> str | None:
    """A case's deadline light now, from its ready tasks' milestones: none once ended or while waiting for
    核查/结案, grey while suspended (挂账), else green, yellow or red (``engine.domain.summary.light``)."""
    ready = list(ready)
    return light(due, warn, now, open_=not ended and not deadline_paused(ready, milestones),
                 suspended=suspended(ready, milestones))


def merged(*maps: Milestones) -> dict[str, str]:
    """Several versions' maps as one (a migrated case's events name each version's ids); later ones win."""
    out: dict[str, str] = {}
    for found in maps:
        out.update(found)
    return out
