"""What the admin pages and ``/api/v1/admin`` show: the departments, subtypes and users with what is disabled,
the routing in force per subtype, and an object's change history (its versions)."""

from __future__ import annotations

from typing import Any

from city.admin.routing import routing_in_force
from city.admin.routing_table import routes_by_subtype
from engine.persistence.read import admin as read
from engine.service.deps import Deps


def departments(deps: Deps) -> list[dict[str, Any]]:
    """Every department (code, names, level, district_code, disabled)."""
    with deps.uow(read_only=True) as uow:
        return read.departments(uow.store)


def subtypes(deps: Deps) -> list[dict[str, Any]]:
    """Every subtype with its fields and whether it is disabled."""
    with deps.uow(read_only=True) as uow:
        return read.subtypes(uow.store)


def aspects(deps: Deps) -> list[dict[str, Any]]:
    """The aspects."""
    with deps.uow(read_only=True) as uow:
        return read.aspects(uow.store)


def users(deps: Deps, search: str = "") -> list[dict[str, Any]]:
    """Users matching ``search`` (username or display name), with whether each is disabled."""
    with deps.uow(read_only=True) as uow:
        return read.users(uow.store, search.strip()[:100])


def user(deps: Deps, username: str) -> dict[str, Any] | None:
    """The user named exactly ``username`` (with whether they are disabled), or None."""
    with deps.uow(read_only=True) as uow:
        return read.user(uow.store, username)


def history(deps: Deps, kind: str | None = None, key: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The admin changes, newest first (of one kind, or one object)."""
    with deps.uow(read_only=True) as uow:
        return read.changes(uow.store, kind, key, limit)


def routing(deps: Deps) -> dict[str, Any]:
    """The routing in force: the process and version carrying the rules, its DMN file, and per subtype the
    disposal units its rules name (``routes``: subtype → [department codes])."""
    found = routing_in_force(deps)
    if found is None:
        return {"process_id": None, "version": None, "file_name": None, "routes": {}}
    return {"process_id": found.process_id, "version": found.number, "file_name": found.file_name,
            "routes": routes_by_subtype(found.dmn)}


def channels(deps: Deps) -> list[dict[str, Any]]:
    """The city's channels in order, active or not (the defaults while none are stored)."""
    from city.package.profile import city_channels

    with deps.uow(read_only=True) as uow:
        return city_channels(uow.store)


def holiday_years(deps: Deps) -> dict[str, Any]:
    """The city's holiday table as stored with its package: ``calendar`` (its name, None without a package) and
    ``years`` (year → {holidays, workdays}), newest year first."""
    import json

    from engine.persistence.read import city_package as package

    with deps.uow(read_only=True) as uow:
        profile = package.profile(uow.store)
        stored = package.holiday_calendar(uow.store, profile["calendar"]) if profile else None
    years = json.loads(stored)["years"] if stored else {}
    return {"calendar": profile["calendar"] if stored and profile else None,
            "years": dict(sorted(years.items(), reverse=True))}
