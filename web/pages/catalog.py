"""Read-only look-ups the pages need beyond ``engine.service.queries``: the subtype and department
catalogues, recent cases and a case's current data."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.read import cases as case_reads
from engine.persistence.read import city
from engine.service.deps import Deps
from engine.service.queries import case_events, task_data


def subtype_groups(deps: Deps) -> list[dict[str, Any]]:
    """The subtypes grouped by major class: ``[{code, name, subtypes: [{code, name_zh, name_en}]}]``."""
    with deps.uow(read_only=True) as uow:
        rows = sorted(city.subtypes(uow.store), key=lambda r: (r["major_code"], r["code"]))
    return [{"code": major, "name": name,
             "subtypes": [{"code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"]} for r in members]}
            for (major, name), members in groupby(rows, key=lambda r: (r["major_code"], r["major_name_zh"]))]


def subtype_names(deps: Deps) -> dict[str, dict[str, str]]:
    """Subtype code → ``{"zh", "en"}`` names."""
    return {s["code"]: {"zh": s["name_zh"], "en": s["name_en"]}
            for group in subtype_groups(deps) for s in group["subtypes"]}


def departments(deps: Deps) -> list[dict[str, str]]:
    """Every department: ``{code, name_zh, name_en, level}`` by code."""
    with deps.uow(read_only=True) as uow:
        rows = city.departments(uow.store)
    return [{"code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"], "level": r["level"]} for r in rows]


def department_names(deps: Deps) -> dict[str, dict[str, str]]:
    """Department code → ``{"zh", "en"}`` names."""
    return {d["code"]: {"zh": d["name_zh"], "en": d["name_en"]} for d in departments(deps)}


def recent_cases(deps: Deps, limit: int = 100) -> list[dict[str, Any]]:
    """The most recently started cases, newest first."""
    with deps.uow(read_only=True) as uow:
        out = case_reads.recent(uow.store, limit)
    for case in out:
        started = as_utc(case["started_at"])
        case["started_at"] = started.isoformat() if started else None
    return out


def case_data(deps: Deps, case: dict[str, Any]) -> dict[str, Any]:
    """The case's process data now: what its first ready task sees, else the latest step's, else the
    finished workflow's."""
    for task in case.get("tasks", []):
        found = task_data(deps, task["id"])
        if found is not None:
            return found
    if case.get("status") == "completed":
        with deps.uow(read_only=True) as uow:
            data = case_reads.final_data(uow.store, case["id"])
        if isinstance(data, dict) and data:
            return data
    for event in reversed(case_events(deps, case["id"])):
        if event["task_id"]:
            found = task_data(deps, event["task_id"])
            if found is not None:
                return found
    return {}


def districts(deps: Deps) -> list[dict[str, str]]:
    """The city's districts: ``{code, name}`` by code."""
    with deps.uow(read_only=True) as uow:
        rows = city.districts(uow.store)
    return [{"code": r[0], "name": r[1]} for r in rows]
