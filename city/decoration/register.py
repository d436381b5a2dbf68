"""RegisterDecorationWorks (装修登记): the fields checked (every one at fault named), the point located in the city's
grids (district, street and grid filled from it), a code given (ZX + the city's date + a day's sequence), the
``decoration_works`` case started and the works' row written, in one transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from city.decoration.commands import RegisterDecorationWorks
from city.decoration.validation import REFUSED, registration_problems
from city.persistence.read import decoration as reads
from city.persistence.repositories.decoration import DecorationStore
from engine.domain.city_zone import city_zone
from engine.domain.forms import FieldsRejected
from engine.service.bulk_starts import finish_bulk, start_cases_in
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import check_text

PROCESS = "decoration_works"
CODE_PREFIX = "ZX"


def _located(deps: Deps, cmd: RegisterDecorationWorks) -> dict[str, Any]:
    """Where the point lies (``locate``: unit grid, district, street), or the point refused."""
    where: dict[str, Any] | None = deps.script_helpers["locate"](float(cmd.lon), float(cmd.lat))
    if not where:
        raise FieldsRejected({"lon": "the point lies outside the city's grids (不在网格范围内)",
                              "lat": "the point lies outside the city's grids (不在网格范围内)"}, REFUSED)
    return where


def _instant(day: date) -> str:
    """The start of ``day`` in the city's time zone, as an ISO instant."""
    return datetime.combine(day, time(0), tzinfo=city_zone()).isoformat()


def period(starts_on: date, ends_on: date) -> dict[str, str]:
    """The works case's timers: it starts at the start of ``starts_on``, is inspected again at the start of its
    last day and is over at the end of ``ends_on`` (the city's days)."""
    return {"starts_at": _instant(starts_on), "inspect_again_at": _instant(ends_on),
            "ends_at": _instant(ends_on + timedelta(days=1))}


def _next_code(store: Any, now: datetime) -> str:
    prefix = CODE_PREFIX + now.astimezone(city_zone()).strftime("%Y%m%d")
    last = reads.last_code(store, prefix)
    sequence = int(last[len(prefix):]) + 1 if last is not None and last[len(prefix):].isdigit() else 1
    return f"{prefix}{sequence:04d}"


def _row(cmd: RegisterDecorationWorks, code: str, where: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "address": cmd.address.strip(),
            "compound_name": (cmd.compound_name or "").strip() or None, "district_code": where["district"],
            "street_code": where.get("street"), "grid_code": where.get("unit_grid"), "lon": float(cmd.lon),
            "lat": float(cmd.lat), "owner_name": cmd.owner_name.strip(), "owner_phone": cmd.owner_phone.strip(),
            "contractor": cmd.contractor.strip(), "starts_on": cmd.starts_on, "ends_on": cmd.ends_on,
            "expected_waste_m3": float(cmd.expected_waste_m3), "registered_by": cmd.actor}


def _payload(row: dict[str, Any]) -> dict[str, Any]:
    works = {k: row[k] for k in ("code", "address", "compound_name", "district_code", "street_code", "grid_code",
                                 "lon", "lat", "owner_name", "contractor", "expected_waste_m3")}
    works |= {"starts_on": row["starts_on"].isoformat(), "ends_on": row["ends_on"].isoformat()}
    return {"works": works, **period(row["starts_on"], row["ends_on"]), "removal_registered": False}


def register_decoration_works(cmd: RegisterDecorationWorks, ctx: HandlerContext) -> dict[str, Any]:
    """Check, locate, number and start the works: ``{code, case_id, case_no, district_code, street_code,
    grid_code}``. 422 naming every field at fault, nothing written."""
    deps = ctx.deps
    check_text(cmd.actor, "actor")
    now = deps.clock.now()
    problems = registration_problems(cmd, now.astimezone(city_zone()).date())
    if problems:
        raise FieldsRejected(problems, REFUSED)
    where = _located(deps, cmd)
    with deps.uow() as uow:
        works = uow.repository(DecorationStore)
        # the row first, so its code is taken (again, under a savepoint, when another registration took it at the
        # same moment) before the case that correlates on it starts
        works_id, row = works.insert_numbered(lambda: _row(cmd, _next_code(uow.store, now), where), now)
        (started,) = start_cases_in(uow, deps, PROCESS, [_payload(row)], cmd.actor, now, actor_kind=cmd.actor_kind)
        # a works registered late has started already: its first step fired the start's timer
        state = (started.outcome.case_data or {}).get("works_state", "registered")
        works.attach_case(works_id, started.case_id, str(state), now)
    finish_bulk(deps, ctx, [started])
    return {"code": row["code"], "case_id": started.case_id, "case_no": started.case_no,
            "district_code": row["district_code"], "street_code": row["street_code"], "grid_code": row["grid_code"]}
