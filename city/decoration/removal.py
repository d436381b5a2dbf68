"""RegisterDecorationRemoval (登记清运) and CancelDecorationWorks (撤销登记): the works' row and its case moved in one
transaction (``city.decoration.messages``)."""

from __future__ import annotations

from typing import Any

from city.decoration.commands import CancelDecorationWorks, RegisterDecorationRemoval
from city.decoration.messages import REMOVAL_REGISTERED, WORKS_CANCELLED, deliver_in
from city.decoration.validation import REFUSED
from city.persistence.read import decoration as reads
from city.persistence.repositories.decoration import DecorationStore
from engine.domain.city_zone import city_zone
from engine.domain.errors import ConcurrencyConflict, NotAllowed, NotFound
from engine.domain.forms import FieldsRejected
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

OPEN_STATES = ("registered", "in_progress")


def _open_works(store: CaseStore, code: str) -> dict[str, Any]:
    works = reads.works_by_code(store, code) if isinstance(code, str) else None
    if works is None:
        raise NotFound(f"no decoration works {code!r}", field="works_code")
    if works["state"] not in OPEN_STATES:
        raise ConcurrencyConflict(f"works {code} is {works['state']}", field="works_code")
    return works


def _checked_permit(store: CaseStore, works: dict[str, Any], code: str) -> dict[str, Any]:
    """The permit, active and valid over the works' whole period, of an active company; else 422 naming
    ``permit_code``. Validity is compared in the city's days: a permit valid to 23:59:59 of the works' last day
    serves it."""
    permit = reads.permit_for_removal(store, code.strip()) if isinstance(code, str) and code.strip() else None
    if permit is None:
        raise FieldsRejected({"permit_code": f"no transport permit {code!r} (核准证)"}, REFUSED)
    zone = city_zone()
    first, last = permit["valid_from"].astimezone(zone).date(), permit["valid_to"].astimezone(zone).date()
    if permit["state"] != "active":
        fault = f"permit {permit['code']} is {permit['state']}, not active"
    elif first > works["starts_on"] or last < works["ends_on"]:
        fault = (f"permit {permit['code']} is valid {first}..{last}, not over the works' period"
                 f" {works['starts_on']}..{works['ends_on']}")
    elif not permit["company_active"]:
        fault = f"the permit's company {permit['company_code']} is not active"
    else:
        return permit
    raise FieldsRejected({"permit_code": fault}, REFUSED)


def _principal(uow: UnitOfWork, actor: str) -> Principal:
    """The account acting on a works; an unknown one is refused (404 naming ``actor``)."""
    found = uow.accounts.user(actor)
    if found is None:
        raise NotFound(f"no account {actor!r}", field="actor")
    return Principal(*found)


def may_act(who: Principal, works: dict[str, Any], office: str | None, *, collectors: bool) -> bool:
    """Whether ``who`` acts on ``works`` (its ``registered_by``, ``district_code``): the works' office (its
    department's members), the account that registered it, an admin — and, when ``collectors``, for a removal, the
    district's collectors, who inspect the works. The pages offer their forms by it."""
    if who.role == "admin" or who.username == works["registered_by"] or (who.department and who.department == office):
        return True
    return collectors and who.role == "collector" and who.district == works["district_code"]


def _refuse_outsiders(uow: UnitOfWork, works: dict[str, Any], actor: str, doing: str, *, collectors: bool) -> None:
    """Anyone ``may_act`` does not let act on the works is refused (403)."""
    office = reads.case_value(uow.store, works["case_id"], "office_group")
    if may_act(_principal(uow, actor), works, office, collectors=collectors):
        return
    others = " or the district's collectors" if collectors else ""
    raise NotAllowed(f"{actor} may not {doing} works {works['code']} (its office {office}, its registrant{others}"
                     " or an admin may)", field="actor")


def register_decoration_removal(cmd: RegisterDecorationRemoval, ctx: HandlerContext) -> dict[str, Any]:
    """Check the permit, set the works' removal and deliver ``decoration_removal_registered`` to its case:
    ``{code, permit_code, company_code, case_id}``. 404 unknown works, 409 a works closed or with a removal, 422 a
    permit that may not serve."""
    deps = ctx.deps
    check_text(cmd.actor, "actor")
    now = deps.clock.now()
    with deps.uow() as uow:
        works = _open_works(uow.store, cmd.works_code)
        _refuse_outsiders(uow, works, cmd.actor, "register the removal of", collectors=True)
        if works["removal_registered_at"] is not None:
            raise ConcurrencyConflict(f"works {works['code']} has its removal registered already", field="works_code")
        permit = _checked_permit(uow.store, works, cmd.permit_code)
        payload = {"works_code": works["code"], "permit_code": permit["code"], "company_code": permit["company_code"],
                   "company_name": permit["company_name"], "registered_by": cmd.actor, "registered_at": now.isoformat()}
        delivered = deliver_in(uow, deps, works["case_id"], REMOVAL_REGISTERED, payload, cmd.actor, now,
                               cmd.actor_kind)
        uow.repository(DecorationStore).set_removal(works["id"], permit["id"], permit["company_id"], now)
    delivered.finish(deps, ctx)
    return {"code": works["code"], "permit_code": permit["code"], "company_code": permit["company_code"],
            "case_id": works["case_id"]}


def cancel_decoration_works(cmd: CancelDecorationWorks, ctx: HandlerContext) -> dict[str, Any]:
    """Deliver ``decoration_works_cancelled`` with the reason; the step hook marks the row cancelled:
    ``{code, case_id}``."""
    deps = ctx.deps
    check_text(cmd.actor, "actor")
    if not isinstance(cmd.reason, str) or not cmd.reason.strip() or len(cmd.reason) > 2000:
        raise FieldsRejected({"reason": "give the reason (撤销原因), at most 2000 characters"}, REFUSED)
    now = deps.clock.now()
    with deps.uow() as uow:
        works = _open_works(uow.store, cmd.works_code)
        _refuse_outsiders(uow, works, cmd.actor, "cancel", collectors=False)
        request = {"works_code": works["code"], "actor": cmd.actor, "reason": cmd.reason.strip()}
        delivered = deliver_in(uow, deps, works["case_id"], WORKS_CANCELLED, request, cmd.actor, now,
                               cmd.actor_kind)
    delivered.finish(deps, ctx)
    return {"code": works["code"], "case_id": works["case_id"]}
