"""Who may see and act on what (DESIGN §2): a department sees its own work only; auditors read, never act; the
vision worker reads only the cases it started; whoever started a case (``cases.started_by``: the API's
``POST /processes/{id}/cases``, the start page, ``gridcase case start --as``, a report, a message) sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from city.assessment.wiring import caches_of as assessment_caches_of
from city.persistence.read.assessment_rankings import managing_departments
from city.persistence.read.transport_registry import supervising_departments
from city.transport.wiring import caches_of
from engine.persistence.read import starts
from engine.persistence.repositories.cases import CaseStore
from engine.service.accounts import Principal
from engine.service.deps import Deps
from web import context
from web.api.errors import ApiError
from web.policy import READ_ALL_CASES, READ_OWN_CASES, allows


def task_visible(who: Principal, task: dict[str, Any]) -> bool:
    """True when the person works the task's group, holds it, or reads everything; or when the task is overdue and
    escalated to their group (超期督办: they see it, read-only — ``require_task_action`` still refuses them)."""
    escalated = task.get("overdue_at") is not None and task.get("escalate_to") in who.groups
    return who.reads_everything or task["candidate_group"] in who.groups or task["assignee"] == who.username \
        or escalated


def require_task_action(who: Principal, task: dict[str, Any]) -> None:
    """404 when the task is not theirs to see; 403 when they may see but not act on it."""
    if not task_visible(who, task):
        raise ApiError(404, f"task {task['id']} not found")
    if not who.acts_on_tasks or (task["candidate_group"] not in who.groups and task["assignee"] != who.username):
        raise ApiError(403, f"{who.username} does not work the group {task['candidate_group']}")


def started_by(who: Principal, case: dict[str, Any]) -> bool:
    """True when ``who`` started the live case (its ``cases.started_by``); an imported history case has no starter."""
    if case.get("id") is None:
        return False
    with context.deps().uow(read_only=True) as uow:
        return starts.started_by(uow.store, int(case["id"])) == who.username


def case_visible(who: Principal, case: dict[str, Any]) -> bool:
    """Centre roles and auditors see every case; departments their own; collectors their district's; the vision
    worker only the cases it started; everyone the cases they started (a clerk's equipment request has no
    department or district of its own, and its first task may be another group's)."""
    if allows(who, READ_ALL_CASES):
        return True
    if allows(who, READ_OWN_CASES):
        return started_by(who, case)
    if case.get("started_by") is not None and case["started_by"] == who.username:
        return True
    if who.role == "department_member" and case.get("department") == who.department:
        return True
    if who.role == "collector" and case.get("district") == who.district:
        return True
    return any(task_visible(who, t) for t in case.get("tasks", []))


def _member_of(who: Principal, departments: Callable[[Deps, Callable[[], frozenset[str]]], frozenset[str]],
               read: Callable[[CaseStore], frozenset[str]]) -> bool:
    """True unless ``who`` is a department member whose department is not among ``departments`` (a line's cache,
    given how to ``read`` the city package's list; a member without a department is in none)."""
    if who.role != "department_member":
        return True
    if not who.department:
        return False
    deps = context.deps()

    def fresh() -> frozenset[str]:
        with deps.uow(read_only=True) as uow:
            return read(uow.store)

    return who.department in departments(deps, fresh)


def supervises_transport(who: Principal) -> bool:
    """True unless ``who`` is a department member whose department is not one of the city's supervising
    departments (the city package's transport.json; a city without the file has none)."""
    return _member_of(who, lambda deps, fresh: caches_of(deps).supervising(fresh), supervising_departments)


def manages_assessments(who: Principal) -> bool:
    """True unless ``who`` is a department member whose department is not one of the city's managing departments
    (the city package's assessment.json; a city without the file has none)."""
    return _member_of(who, lambda deps, fresh: assessment_caches_of(deps).managing(fresh), managing_departments)
