"""LoadAssessmentRegistry (载入考评登记) and SetAssessedObjectActive: the registries of the assessment lines
(垃圾分类考评, 物业监管) — property companies, assessed objects, each scheme's checklist.

Every file is read and checked first (``registry_checks``), each object located in the city's grids, then the
references checked against the load and the stored rows; one problem refuses the whole load (``FieldsRejected``
naming file, row and field) and nothing is written. A row equal to its stored twin is left alone; a checklist equal
to the scheme's newest version adds no version. Loads are serialized (advisory lock, as the transport registry's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import Any

from city.assessment.commands import LoadAssessmentRegistry, SetAssessedObjectActive
from city.assessment.registry_checks import check_references, locate_objects, read_files
from city.assessment.registry_files import Problems, RegistryFiles
from city.persistence.read import assessment_registry as reads
from city.persistence.read.components import department_codes
from city.persistence.repositories.assessment_registry import AssessmentRegistryStore, geojson_text
from city.registry_loads import fields_equal, refuse_non_admins, split_rows, write_time
from city.transport.registry import city_box
from engine.domain.commands import Command
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotFound
from engine.domain.forms import FieldsRejected
from engine.persistence.db import is_unique_violation
from engine.persistence.read.city import grid_rows, subtypes
from engine.persistence.uow import UnitOfWork
from engine.service.bus import Handler, HandlerContext
from engine.service.handlers import check_text

KEEPING = "keep the assessment registries"  # what only an admin may do
COMPANY_FIELDS = ("name", "contact_name", "contact_phone", "active")
OBJECT_FIELDS = ("name", "kind", "address", "district_code", "street_code", "grid_code", "lon", "lat",
                 "polygon_json", "min_lon", "min_lat", "max_lon", "max_lat", "company_id", "department_code",
                 "active")
OBJECT_KEY = itemgetter("scheme", "code")
Rows = dict[Any, dict[str, Any]]


def _stated_active(rows: list[dict[str, Any]], stored: dict[Any, dict[str, Any]],
                   key: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    """The rows with ``active`` as the file states it; where it does not (None), a stored row's own (an admin's
    switch survives a reload) and a new row's True."""
    return [r if r["active"] is not None else {**r, "active": stored[key(r)]["active"] if key(r) in stored else True}
            for r in rows]


def _object_row(row: dict[str, Any], company_ids: dict[str, int]) -> dict[str, Any]:
    """A checked object as stored: its company's id, its polygon as text (None: a point), no box for a point."""
    box = {k: row.get(k) for k in ("min_lon", "min_lat", "max_lon", "max_lat")}
    return {**row, **box, "company_id": company_ids[row["company"]] if row.get("company") else None,
            "department_code": row.get("department"), "polygon_json": geojson_text(row.get("polygon"))}


def _checklists(repo: AssessmentRegistryStore, uow: UnitOfWork, parsed: RegistryFiles, actor: str,
                at: datetime) -> dict[str, int]:
    """The schemes' new checklist versions (a checklist equal to the newest stored one adds none)."""
    added: dict[str, int] = {}
    for scheme, checklist in sorted(parsed.checklists.items()):
        newest = reads.newest_checklist(uow.store, scheme)
        items = json.loads(json.dumps(checklist["items"]))  # as stored and read back: comparable with the newest
        if newest is not None and newest["items"] == items:
            continue
        version = 1 if newest is None else newest["version"] + 1
        repo.add_checklist(scheme, version, items, actor, at)
        added[scheme] = version
    return added


def _apply(uow: UnitOfWork, parsed: RegistryFiles, stored: Rows, actor: str, now: datetime) -> dict[str, Any]:
    """Write the checked load; ``stored``: the companies as read when the load's checks began (read again only
    after inserts: the new ids)."""
    store, repo = uow.store, uow.repository(AssessmentRegistryStore)
    at = write_time(now, reads.latest_update(store))  # a load moves the stamp
    company_rows = _stated_active(parsed.companies, stored, itemgetter("code"))
    new, changed, companies = split_rows(company_rows, stored, itemgetter("code"), fields_equal(*COMPANY_FIELDS))
    repo.insert_companies(new, at)
    repo.update_companies(changed, at)
    company_ids = {code: c["id"] for code, c in (reads.stored_companies(store) if new else stored).items()}
    stored_objects = reads.stored_objects(store)
    rows = _stated_active([_object_row(r, company_ids) for r in parsed.objects], stored_objects,
                          OBJECT_KEY)
    new, changed, objects = split_rows(rows, stored_objects, OBJECT_KEY, fields_equal(*OBJECT_FIELDS))
    repo.insert_objects(new, at)
    repo.update_objects(changed, at)
    return {"companies": companies, "objects": objects,
            "checklists": _checklists(repo, uow, parsed, actor, now)}


def _refuse_problems(parsed: RegistryFiles, uow: UnitOfWork, companies: Rows, problems: Problems) -> None:
    """Check the references against the stored rows; any problem of the load refuses it (422, nothing written)."""
    catalogue = {s["code"] for s in subtypes(uow.store)}
    check_references(parsed, companies, department_codes(uow.store), catalogue, problems)
    if problems.count:
        raise FieldsRejected(problems.fields(), f"the registry files have {problems.count} problem(s);"
                                                " nothing was loaded")


def load_assessment_registry(cmd: LoadAssessmentRegistry, ctx: HandlerContext) -> dict[str, Any]:
    """Check every file (422 naming each problem's file, row and field; nothing written), then insert or update
    the companies and objects and add the changed checklists' versions in one unit of work: ``{companies|objects:
    {inserted, updated, unchanged}, checklists: {scheme: new version}}``."""
    deps = ctx.deps
    check_text(cmd.actor, "actor")
    if not cmd.files or not isinstance(cmd.files, dict):
        raise InvalidCommand("name at least one file: companies.csv, objects.geojson, checklists.json",
                             field="files")
    with deps.uow(read_only=True) as uow:  # the files are read outside the write transaction: it waits for none
        refuse_non_admins(uow, cmd.actor, KEEPING)
        box = city_box([json.loads(row[-1]) for row in grid_rows(uow.store, "district")])
    parsed, problems = read_files(dict(cmd.files), box)
    locate_objects(parsed.objects, deps.script_helpers["locate"], problems)
    try:
        with deps.uow() as uow:
            uow.repository(AssessmentRegistryStore).lock_loads()
            refuse_non_admins(uow, cmd.actor, KEEPING)
            companies = reads.stored_companies(uow.store)  # read once: the checks and the writes both use it
            _refuse_problems(parsed, uow, companies, problems)
            return _apply(uow, parsed, companies, cmd.actor, deps.clock.now())
    except Exception as exc:
        if is_unique_violation(exc):  # two loads adding one code at once: the later is refused, nothing written
            raise ConcurrencyConflict("the registries were changed at the same time; retry", field="files") from exc
        raise


def set_assessed_object_active(cmd: SetAssessedObjectActive, ctx: HandlerContext) -> dict[str, Any]:
    """Take an object out of the coming rounds or back in (admins; 404 naming ``code``): ``{scheme, code,
    active}``."""
    check_text(cmd.actor, "actor")
    if not isinstance(cmd.active, bool):
        raise InvalidCommand("active must be true or false", field="active")
    with ctx.deps.uow() as uow:
        refuse_non_admins(uow, cmd.actor, KEEPING)
        found = reads.one_object(uow.store, str(cmd.scheme), str(cmd.code))
        if found is None:
            raise NotFound(f"no assessed object {cmd.scheme}/{cmd.code}", field="code")
        if found["active"] != cmd.active:
            uow.repository(AssessmentRegistryStore).set_object_active(found["id"], cmd.active, ctx.deps.clock.now())
        return {"scheme": found["scheme"], "code": found["code"], "active": cmd.active}


HANDLERS: dict[type[Command], Handler] = {
    LoadAssessmentRegistry: load_assessment_registry,
    SetAssessedObjectActive: set_assessed_object_active,
}
