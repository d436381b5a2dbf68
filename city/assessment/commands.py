"""The assessment lines' commands (垃圾分类考评, 物业监管): load the registries, keep an object active or not, start a
round by hand, record an item of an inspection. Finishing an inspection (or a re-inspection) is completing its task
through the task API (``CompleteHumanTask``): the model scores the visit and the step hooks open the rectification
cases; a round started by its model's timer is no command of ours but the scheduler's ``StartCase``."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class LoadAssessmentRegistry(Command):
    """Load registry files (``files``: file name → text): ``companies.csv`` (property companies),
    ``objects.geojson`` (assessed objects of both schemes; a compound is a Polygon) and ``checklists.json`` (each
    scheme's weighted checklist: a changed one becomes the scheme's next version) — any of them. Rows are matched
    by code (an object by scheme and code) and inserted or updated, never deleted (``active`` retires one). Every
    file is checked before anything is written: one problem refuses the whole load, naming the file, row and
    field. Admins. Returns the counts inserted and updated per registry and the checklists' new versions."""

    files: dict[str, str]
    actor: str


@dataclass(frozen=True)
class SetAssessedObjectActive(Command):
    """Take an assessed object out of the coming rounds (``active=False``) or back in: the admin page's switch.
    A round already started keeps its inspection. 404 naming ``code`` for an unknown object."""

    scheme: str
    code: str
    active: bool
    actor: str


@dataclass(frozen=True)
class StartAssessmentRound(Command):
    """Start the scheme's round for the current period now (the ``assessment_round`` model's timer does it on its
    own each month or quarter): 409 naming ``scheme`` when the period's round exists, 422 when the scheme has no
    checklist or no active object. Shift leads, supervisors, admins. Returns ``{round_id, case_id, case_no,
    period, objects}``."""

    scheme: str
    actor: str


@dataclass(frozen=True)
class RecordInspectionItem(Command):
    """Record one checklist item of an inspection's current visit (the first inspection, or a re-inspection of
    the items that failed): ``result`` pass, fail or na (not applicable), a fail's ``deduction`` (at most the
    item's points; default all of them) or one of its preset ``deduction_code``, a ``note`` and ``photos``
    (digests of the inspection case's uploads; the item's photo rule says when one is required). Recording an item
    again before the visit is finished replaces it. Only the inspectors of the inspection's task group; 409 once
    the inspection is closed. Returns the item's row."""

    inspection_id: int
    item_code: str
    result: str
    actor: str
    deduction: float | None = None
    deduction_code: str | None = None
    note: str | None = None
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class StartRoundInspections(Command):
    """Start the next chunk (up to ``limit``) of a running round's inspection cases (``round_id``; None: the
    oldest round with some not started), in one transaction of its own: a round of thousands of objects is opened
    at once (its rows) and its cases started chunk by chunk, so other writers get the database between chunks.
    The chunk that starts the round's last one tells the round case (``round_inspections_started``), which then
    tells its teams. ``budget_seconds``: further chunks follow (each its own transaction) while some remain and
    the time lasts — the scheduler's run. Returns ``{round_id, started, pending, told}``."""

    round_id: int | None = None
    limit: int = 100  # ~1 s of work on SQLite (a 4,215-object round: 43 chunks, the longest 1.6 s)
    budget_seconds: float = 0.0
    actor: str = "scheduler"
