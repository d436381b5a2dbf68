"""An Open311 app's service request (``SubmitServiceRequest``): the key, the jurisdiction, the service and the
parameters checked in that order (403, 404, 400/404, 400), then one lifecycle case on channel ``open311`` with its
``citizen_reports`` row and tracking token, in the case's first transaction (``city.intake.report``)."""

from __future__ import annotations

from typing import Any

from city.citizens.tracking import new_token, track_report
from city.commands import ReportProblem
from city.intake.report import report_problem
from city.open311.commands import SubmitServiceRequest
from city.open311.fields import request_fields, service_code_of
from city.open311.keys import active_key
from city.open311.settings import Open311Settings
from city.package.profile import city_profile
from city.persistence.read import open311 as reads
from city.persistence.repositories import api_keys
from city.persistence.repositories.citizen_reports import PublicReportRow
from engine.domain.errors import NotAllowed, NotFound
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext

CHANNEL = "open311"
BAD_KEY = "api_key is missing, unknown or revoked"
FALLBACK_JURISDICTION = "gridcase"  # a database no city package was loaded into has no profile name


def jurisdiction(store: CaseStore) -> str:
    """The jurisdiction_id this server answers to: the setting, else the city profile's name."""
    return Open311Settings.from_env().jurisdiction or str(city_profile(store).get("name") or FALLBACK_JURISDICTION)


def check_jurisdiction(store: CaseStore, given: str | None) -> None:
    """404 naming ``jurisdiction_id`` when one is given and is not ours (the spec's jurisdiction_id not found)."""
    if given is not None and given != "" and given != jurisdiction(store):
        raise NotFound("jurisdiction_id not found", field="jurisdiction_id")


def actor_of(key_id: int) -> str:
    """The actor and reporter of an app's requests (never an account's name)."""
    return f"public:open311:{key_id}"


def _checked(cmd: SubmitServiceRequest, ctx: HandlerContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """The key's row and the service's, refusing in the spec's order."""
    with ctx.deps.uow(read_only=True) as uow:
        key = active_key(uow.store, cmd.api_key)
        if key is None:
            raise NotAllowed(BAD_KEY, field="api_key")
        check_jurisdiction(uow.store, cmd.jurisdiction_id)
        code = service_code_of(cmd)
        found = reads.service(uow.store, code)
    if found is None:
        raise NotFound(f"service_code {code} not found", field="service_code")
    return key, found


def submit_service_request(cmd: SubmitServiceRequest, ctx: HandlerContext) -> dict[str, Any]:
    """Start the case; ``{case_no, token, service_name}``. A retried POST starts a second case (the spec has no
    idempotency key)."""
    key, found = _checked(cmd, ctx)
    fields = request_fields(cmd)
    texts, actor, now = fields.texts, actor_of(key["id"]), ctx.deps.clock.now()
    name = found["name_en"] if cmd.locale == "en" and found["name_en"] else found["name_zh"]
    token = new_token()
    names = " ".join(part for part in (texts["first_name"], texts["last_name"]) if part) or None
    extra = {"address_string": texts["address_string"], "address_id": texts["address_id"],
             "media_url": texts["media_url"], "device_id": texts["device_id"], "account_id": texts["account_id"],
             "description": texts["description"] or name}

    def then(uow: UnitOfWork, case_id: int, case_no: str | None) -> None:
        if active_key(uow.store, cmd.api_key) is None:  # revoked while the request was checked: nothing kept
            raise NotAllowed(BAD_KEY, field="api_key")
        # An app's phone is not confirmed: never texted (updates by email only, when one was given).
        track_report(uow, PublicReportRow(token=token, case_id=case_id, origin=CHANNEL,
                                          updates="email" if texts["email"] else "none", locale=cmd.locale,
                                          email=texts["email"], phone=texts["phone"], name=names,
                                          api_key_id=key["id"], extra=extra), now)
        api_keys.note_use(uow.store, key["id"], now)

    report = ReportProblem(subtype_code=found["code"], description=texts["description"] or name, lon=fields.lon,
                           lat=fields.lat, channel=CHANNEL, actor=actor, reporter=actor, actor_kind="api_client")
    ref = report_problem(report, ctx, system=True, then=then)
    return {"case_no": ref.case_no, "token": token, "service_name": name}
