"""A case by its number: a live case, else an imported history case (read-only, from its facts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.facts.model import COUNTERS
from city.persistence.read.history import HISTORY_TIMES, history_facts
from city.persistence.read.imported_cases import imported_summary
from engine.persistence.db import as_utc
from engine.persistence.read.cases import SUMMARY_COLUMNS
from engine.service import queries
from engine.service.deps import Deps


def case_by_no(deps: Deps, number: str, now: datetime) -> dict[str, Any] | None:
    """The live case with this number (``engine.service.queries.case_by_no``; ``imported``: its legacy summary
    when it was imported open, else None), else the imported history case, else None."""
    live = queries.case_by_no(deps, number, now)
    if live is None:
        return history_case(deps, number)
    with deps.uow(read_only=True) as uow:
        live["imported"] = imported_summary(uow.store, live["id"])
    return live


def _iso(value: Any) -> str | None:
    moment = as_utc(value)
    return moment.isoformat() if moment else None


def history_case(deps: Deps, number: str) -> dict[str, Any] | None:
    """An imported history case, read-only from its facts, shaped like a live case that has ended
    (no id, process or tasks; ``source`` "history", the step times and doers in ``evaluation``)."""
    with deps.uow(read_only=True) as uow:
        facts = history_facts(uow.store, number)
    if facts is None:
        return None
    for key in ("due_at", *HISTORY_TIMES):
        facts[key] = _iso(facts[key])
    counters = {key: facts.pop(key) for key in COUNTERS}
    view = {key: facts.pop(key) for key in SUMMARY_COLUMNS if key in facts}
    on_time = facts.pop("closed_on_time")
    evaluation = {**facts, "on_time": on_time, **counters, "source": "history"}
    return {"id": None, **view, "description": None, "urgency": None, "warn_at": None, "counters": counters,
            "evaluation": evaluation, "light": None, "status": "completed", "process_id": None, "version": None,
            "started_at": facts["reported_at"], "completed_at": facts["closed_at"], "tasks": [], "source": "history"}
