"""Who an emergency calls to assemble (集结名单): the ``assembly_people`` and ``known_people`` script helpers.

The emergency model asks ``assembly_people(teams, area)`` once, at the declaration; the answer (every person with
their team, role, district, department and leader) is kept with the step (``engine.bpmn.environment.kept``), so a
replay calls the same people after accounts have changed.

A team is ``{name, role?, districts?, departments?, leader?}``: with ``departments``, the members of those
departments (of ``role`` if given); else the accounts of ``role`` in ``districts`` (default: the emergency area's
districts) — a collector's district, or the district a district-level department (``<district>-Dnn``) belongs to;
a role without district (a shift lead, say) is called wherever it works. A person is called once, by the first
team that names them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from city.persistence.repositories.emergency import EmergencyStore
from engine.bpmn.budget.meter import uncharged
from engine.bpmn.environment import kept, step_resource
from engine.persistence.uow import UnitOfWork, in_command

Person = tuple[str, str, str | None, str | None]  # username, role, department, district
DISTRICTLESS = frozenset({"seat_operator", "shift_lead", "dispatcher", "supervisor"})


def _district(person: Person) -> str | None:
    _, _, department, district = person
    if district:
        return district
    return department.split("-")[0] if department and "-" in department else None


def _member(team: dict[str, Any], person: Person, area_districts: Sequence[str]) -> bool:
    _, role, department, _ = person
    wanted = team.get("role")
    if wanted and role != wanted:
        return False
    departments = team.get("departments") or []
    if departments:
        return department in departments
    if not wanted:
        return False
    if role in DISTRICTLESS and not team.get("districts"):
        return True
    return _district(person) in (team.get("districts") or area_districts)


def called_people(teams: Sequence[dict[str, Any]], area: dict[str, Any],
                  people: Sequence[Person]) -> list[dict[str, Any]]:
    """The people ``teams`` call in ``area``: ``{username, team, role, district, department, leader}`` each, in
    the teams' order, then by username; each person once."""
    area_districts = [str(d) for d in area.get("districts") or []]
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for team in teams:
        leader = team.get("leader") or None
        for person in people:
            if person[0] in seen or not _member(team, person, area_districts):
                continue
            seen.add(person[0])
            out.append({"username": person[0], "team": str(team.get("name") or ""), "role": person[1],
                        "district": _district(person), "department": person[2],
                        "leader": leader if leader != person[0] else None})
    return out


def assembly_helpers(open_uow: Callable[..., UnitOfWork]) -> dict[str, Callable[..., Any]]:
    """``assembly_people(teams, area)`` and ``known_people(usernames)`` for scripts, answers kept with the step."""

    @contextmanager
    def reading() -> Iterator[EmergencyStore]:
        uow = step_resource()  # the running step's own transaction: no second pooled connection
        if isinstance(uow, UnitOfWork) and in_command():
            yield uow.repository(EmergencyStore)
            return
        with open_uow(read_only=True) as own:
            yield own.repository(EmergencyStore)

    def assembly_people(teams: Any, area: Any) -> list[dict[str, Any]]:
        """The people the teams call in the area (see ``called_people``)."""
        if not isinstance(teams, list) or not all(isinstance(t, dict) for t in teams) or not isinstance(area, dict):
            raise ValueError("assembly_people(teams, area) needs a list of teams and an area")
        with uncharged(), reading() as store:
            return called_people(teams, area, store.people())

    def known_people(usernames: Any) -> list[dict[str, Any]]:
        """``{username, role}`` of the named accounts that exist."""
        wanted = {str(u) for u in usernames or []}
        with uncharged(), reading() as store:
            return [{"username": p[0], "role": p[1]} for p in store.people() if p[0] in wanted]

    return {"assembly_people": kept("assembly_people", assembly_people),
            "known_people": kept("known_people", known_people)}
