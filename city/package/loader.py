"""``LoadCityPackage``: the whole city in one unit of work — all of it or nothing.

Grids, streets, catalogue, departments, channels, users, the duty windows, the profile, the component registry
(when the package has one) and (when it has rules) the case lifecycle's new version with the city's rules are
written in one transaction; a refusal anywhere leaves the old city whole. Rows other records point at are updated
in place, not deleted and inserted again: a person keeps their password and API tokens, and a person or department
that open work or other records still name cannot be removed (the refusal names them).
"""

from __future__ import annotations

import hashlib
from typing import Any

from city.catalog.loading import user_rows, write_grids
from city.package.changes import change_report, package_snapshot
from city.package.commands import LoadCityPackage
from city.package.components import clear_registry
from city.package.format import CityPackage
from city.package.profile import apply_profile
from city.package.rules import refuse_stale_rules
from city.package.topics import checklist_json
from city.persistence.read.campaign_rows import topic_snapshot
from city.persistence.repositories.campaigns import CampaignStore
from engine.domain.city_zone import DEFAULT_ZONE_NAME
from engine.domain.duty_calendar import parse_versions
from engine.domain.errors import InvalidCommand
from engine.persistence.read import city_package as read
from engine.persistence.repositories.admin import AdminStore
from engine.persistence.repositories.calendars import DutyCalendarStore
from engine.persistence.repositories.city_package import CityPackageStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.calendars import DutyCalendarCache, canonical
from engine.service.deps import Deps

SUBTYPE_COLUMNS = ("code", "kind", "major_code", "major_name_zh", "name_zh", "name_en", "aspect_code",
                   "default_urgency", "limit_amount", "limit_unit", "closing_standard", "video_ai", "national_code")
USER_COLUMNS = ("username", "display_name", "role", "department_code", "district_code", "password_hash")


def load_city_package(cmd: LoadCityPackage, ctx: HandlerContext) -> dict[str, Any]:
    """Load the package; the result holds the profile ``version`` and the change report (``changes``)."""
    deps: Deps = ctx.deps
    pkg = cmd.package
    # hashed before the transaction (the write lock is not held while hashing); only new people use them
    hashed = {row[0]: row for row in user_rows([u for u in pkg.users if u["password"]])}
    with deps.uow() as uow:
        before, profile_before = read.snapshot(uow.store), read.profile(uow.store) or {}
        before["campaign_topics"] = topic_snapshot(uow.store)
        _refuse_removals(uow, pkg, before)
        _refuse_zone_change(uow, pkg, profile_before)
        if not cmd.deploy:  # the rules deployed stay: they must not name what the package removes
            refuse_stale_rules(uow, {
                "department": set(before["departments"]) - {d["code"] for d in pkg.departments},
                "subtype": set(before["subtypes"]) - {s["code"] for s in pkg.subtypes}})
        people = _people(pkg, before["users"], hashed)
        _write(uow, pkg, people)
        duty_added = _write_duty(uow, pkg.duty_windows, deps, cmd.actor)
        store = uow.repository(CityPackageStore)
        store.replace_extras(pkg.extras)
        store.save_holiday_calendar(pkg.profile.calendar, pkg.calendar_text,
                                    hashlib.sha256(pkg.calendar_text.encode()).hexdigest(), deps.clock.now())
        version = store.save_profile(pkg.profile.as_row(), deps.clock.now(), cmd.actor)
        components = _write_components(uow, cmd, deps)
        deployed = _deploy_rules(uow, deps, cmd) if cmd.deploy else []
        changes = change_report(before, package_snapshot(pkg), profile_before, pkg.profile.as_row())
        _audit(uow, cmd, profile_before, version, changes, deps)
    _after_load(deps)
    return {"version": version, "source": cmd.source, "changes": changes, "duty_versions_added": duty_added,
            "deployed": deployed, "components": components, "repaired": pkg.grids.repaired or []}


def _refuse_removals(uow: UnitOfWork, pkg: CityPackage, before: dict[str, dict[str, Any]]) -> None:
    """Refuse, naming them, to remove a department open tasks wait in or a person other records name."""
    kept_departments = {d["code"] for d in pkg.departments}
    busy = sorted(code for code in before["departments"] if code not in kept_departments
                  and code in read.open_task_groups(uow.store))
    if busy:
        raise InvalidCommand(f"departments.json: department {busy[0]!r} has open tasks and is not in the package "
                             "(keep it until its tasks are done, or reassign them first)", field="departments")
    kept_users = {u["username"] for u in pkg.users}
    holding = sorted(u for u in before["users"] if u not in kept_users and u in read.open_task_assignees(uow.store))
    if holding:
        raise InvalidCommand(f"users.json: user {holding[0]!r} holds open tasks and is not in the package "
                             "(reassign or release their tasks first, or keep them in users.json)", field="users")
    named = sorted(u for u in before["users"] if u not in kept_users and u in read.users_with_records(uow.store))
    if named:
        raise InvalidCommand(f"users.json: user {named[0]!r} has API tokens or drafts and is not in the package "
                             "(keep them in users.json; an admin can disable them)", field="users")


def _refuse_zone_change(uow: UnitOfWork, pkg: CityPackage, profile_before: dict[str, Any]) -> None:
    """Refuse a new time zone once cases have facts: their days and months (reports, KPIs, statistics) were counted
    in the old zone, and recounting every case in the load's transaction is not done."""
    old, new = profile_before.get("time_zone") or DEFAULT_ZONE_NAME, pkg.profile.time_zone
    if old == new:
        return
    facts = read.case_fact_count(uow.store)
    if facts:
        raise InvalidCommand(f"city.json: time_zone: {facts} cases are counted by day and month in {old}; changing "
                             f"the zone to {new} would misdate them (keep time_zone {old!r}, or load the city into a "
                             "new database)", field="time_zone")


def _people(pkg: CityPackage, stored: dict[str, Any], hashed: dict[str, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The users as stored; a person already stored keeps their password (the package's is an initial one)."""
    rows = []
    for user in pkg.users:
        name = user["username"]
        if name not in stored and name not in hashed:
            raise InvalidCommand(f"users.json: user {name!r} is new and has no password: give it 'password', or "
                                 "'demo_password' for all new users", field="users")
        rows.append(hashed[name] if name in hashed else (name, user["display_name"], user["role"],
                                                         user["department"], user["district"], ""))
    return rows


def _write(uow: UnitOfWork, pkg: CityPackage, people: list[tuple[Any, ...]]) -> None:
    """Write the grids, streets and catalogue; parents before children, removals after their last reference."""
    store = uow.repository(CityPackageStore)
    store.replace_streets(pkg.streets)
    write_grids(uow, pkg.grids)
    store.set_grid_streets(pkg.grid_streets())
    aspects = [(a["code"], a["name_zh"], a["name_en"]) for a in pkg.aspects]
    old_aspects = [tuple(row) for row in _rows(uow, "aspects", ("code", "name_zh", "name_en"))]
    store.sync("aspects", ("code", "name_zh", "name_en"), aspects + [a for a in old_aspects
                                                                     if a[0] not in {n[0] for n in aspects}])
    store.sync("subtypes", SUBTYPE_COLUMNS, [
        (s["code"], s["kind"], s["major_code"], s["major_name_zh"], s["name_zh"], s["name_en"], s["aspect"],
         s["default_urgency"], s["time_limit"]["amount"], s["time_limit"]["unit"], s["closing_standard_zh"],
         bool(s["video_ai"]), s["national_code"]) for s in pkg.subtypes])
    store.sync("aspects", ("code", "name_zh", "name_en"), aspects)  # now that no subtype names a removed one
    departments = [(d["code"], d["name_zh"], d["name_en"], d["level"], d["district"]) for d in pkg.departments]
    columns = ("code", "name_zh", "name_en", "level", "district_code")
    old_departments = [tuple(row) for row in _rows(uow, "departments", columns)]
    codes = {d[0] for d in departments}
    store.sync("departments", columns, departments + [d for d in old_departments if d[0] not in codes])
    store.sync("users", USER_COLUMNS, people, insert_only=("password_hash",))
    store.sync("departments", columns, departments)  # now that no person belongs to a removed one
    store.replace_channels(pkg.channels)
    topics = pkg.campaign_topics or ()  # no file: the package has no topics (campaigns keep their own copy)
    uow.repository(CampaignStore).replace_topics(topics, [checklist_json(t["checklist"]) for t in topics])


def _rows(uow: UnitOfWork, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in read.rows(uow.store, table, columns)]


def _write_duty(uow: UnitOfWork, content: str | None, deps: Deps, actor: str) -> int:
    """Store the duty calendar's versions not stored yet; how many were added."""
    if content is None:
        return 0
    store, added = uow.repository(DutyCalendarStore), 0
    for version in parse_versions(content):
        text = canonical(version)
        sha = hashlib.sha256(text.encode()).hexdigest()
        if not store.has(version.effective_from, sha):
            store.add(version.effective_from, text, sha, deps.clock.now(), actor, version.comment or "city package")
            added += 1
    return added


def _audit(uow: UnitOfWork, cmd: LoadCityPackage, profile_before: dict[str, Any], version: int,
           changes: dict[str, Any], deps: Deps) -> None:
    """Keep the load in the admin change history (kind ``city_package``): the profile before and after, and the
    counts of what changed per kind."""
    counts = {kind: {k: c[k] for k in ("added", "changed", "removed")} for kind, c in changes.items()
              if kind != "profile"}
    before = {k: profile_before.get(k) for k in ("name", "time_zone", "locale", "calendar", "version")}
    after = {**cmd.package.profile.as_row(), "version": version, "changes": counts}
    uow.repository(AdminStore).record_change("city_package", "city", "load", before, after, cmd.actor,
                                             deps.clock.now(), cmd.source)


def _write_components(uow: UnitOfWork, cmd: LoadCityPackage, deps: Deps) -> dict[str, Any] | None:
    """Replace the component registry with the package's (checked against the catalogue and grids just written);
    empty it when the package has none (None: there was none either)."""
    from city.routing.handlers import write_components

    if cmd.package.components is None:  # the package has no registry: the old city's is emptied
        if not read.components(uow.store):
            return None
        return clear_registry(uow, f"{cmd.source} (no components)".strip(), cmd.actor, deps.clock.now())
    rows = cmd.package.components
    source = f"{cmd.source}/{cmd.package.components_file}" if cmd.source else cmd.package.components_file
    return write_components(uow, rows, source, replace=True, actor=cmd.actor, now=deps.clock.now())


def _deploy_rules(uow: UnitOfWork, deps: Deps, cmd: LoadCityPackage) -> list[str]:
    """Deploy the lifecycle with the city's rules in this unit of work (``city.package.rules``)."""
    from city.package.rules import deploy_in

    return deploy_in(uow, deps, cmd.deploy, cmd.actor, f"city package {cmd.source}".strip())


def _after_load(deps: Deps) -> None:
    """Tell the process: the locator rereads the grids, the profile's zone and locale apply, duty windows reload."""
    for callback in deps.on_city_loaded:
        callback()
    apply_profile(deps)
    cache = deps.working_time.duty if deps.working_time is not None else None
    if isinstance(cache, DutyCalendarCache):
        cache.invalidate()
