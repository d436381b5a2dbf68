"""What Open311 GeoReport v2 answers, as plain lists and dicts in the specification's element order (the web layer
writes them as JSON or XML): services, a service definition, the public's requests, a token's request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from city.facts.model import CaseFacts
from city.open311.submit import check_jurisdiction
from city.persistence.read import open311 as reads
from city.public.stage import ENDED, public_stage, stage_label
from engine.domain.city_zone import city_zone
from engine.domain.errors import NotFound
from engine.service.deps import Deps

KINDS = {"component": ("部件", "component"), "event": ("事件", "event")}
SERVICE_NOTICE = ("已受理，将派员现场核实", "Received: a collector will verify it on site")
REOPENED = ("已重新办理，新案件编号 {case_no}", "Reopened after the callback as {case_no}")


def w3c(moment: datetime | None) -> str | None:
    """A time in the w3c profile of ISO 8601 with the city's UTC offset (None stays None)."""
    return None if moment is None else moment.astimezone(city_zone()).isoformat(timespec="seconds")


def notice(locale: str) -> str:
    """The service notice of a new request."""
    return SERVICE_NOTICE[1] if locale == "en" else SERVICE_NOTICE[0]


def _name(zh: str | None, en: str | None, locale: str) -> str | None:
    return en if locale == "en" and en else zh


def _kind(kind: str, locale: str) -> str:
    """部件 / 事件 (component / event): the service's keywords."""
    zh, en = KINDS.get(kind, (kind, kind))
    return en if locale == "en" else zh


def service_list(deps: Deps, locale: str, jurisdiction_id: str | None) -> list[dict[str, Any]]:
    """GET services: each subtype as a service (``metadata`` false: there are no extra attributes)."""
    with deps.uow(read_only=True) as uow:
        check_jurisdiction(uow.store, jurisdiction_id)
        rows = reads.services(uow.store)
    return [{"service_code": r["code"], "service_name": _name(r["name_zh"], r["name_en"], locale),
             "description": _name(r["name_zh"], r["name_en"], locale), "metadata": False, "type": "realtime",
             "keywords": _kind(r["kind"], locale),
             "group": r["major_name_zh"]} for r in rows]


def service_definition(deps: Deps, code: str, jurisdiction_id: str | None) -> dict[str, Any]:
    """GET services/{code}: no attributes (``metadata`` is false for every service); 404 for an unknown code."""
    with deps.uow(read_only=True) as uow:
        check_jurisdiction(uow.store, jurisdiction_id)
        found = reads.service(uow.store, code) if len(code) <= 10 else None
    if found is None:
        raise NotFound(f"service_code {code[:20]} not found", field="service_code")
    return {"service_code": found["code"], "attributes": []}


def request_view(row: dict[str, Any], locale: str) -> dict[str, Any]:
    """One request in the spec's order; no contact, no photo but the app's own ``media_url``."""
    facts = CaseFacts(reported_at=row["reported_at"], result=row["result"], filed_at=row["filed_at"],
                      dispatched_at=row["dispatched_at"], disposed_at=row["disposed_at"],
                      checked_at=row["checked_at"])
    stage, extra, reopened_as = public_stage(facts), row["extra"], row.get("reopened_as")
    # a 回访 reopened it: closed here, the work goes on under the new case's number (a request of its own)
    moved = (REOPENED[1] if locale == "en" else REOPENED[0]).format(case_no=reopened_as) if reopened_as else None
    return {"service_request_id": row["case_no"], "status": "closed" if stage in ENDED or moved else "open",
            "status_notes": moved or stage_label(stage, locale),
            "service_name": _name(row["service_zh"], row["service_en"], locale), "service_code": row["subtype"],
            "description": extra.get("description"),
            "agency_responsible": _name(row["department_zh"], row["department_en"], locale),
            "service_notice": moved or notice(locale), "requested_datetime": w3c(row["reported_at"]),
            "updated_datetime": w3c(row["updated_at"]), "expected_datetime": w3c(row["due_at"]),
            "address": extra.get("address_string"), "address_id": extra.get("address_id"), "zipcode": None,
            "lat": row["lat"], "long": row["lon"], "media_url": extra.get("media_url")}


def request_list(deps: Deps, chosen: reads.RequestFilter, locale: str,
                 jurisdiction_id: str | None) -> list[dict[str, Any]]:
    """GET requests: the public's requests the filter picks (the spec's 90 days when no dates are given)."""
    if not chosen.case_nos and chosen.start is None and chosen.end is None:
        end = deps.clock.now()
        chosen = reads.RequestFilter((), chosen.service_codes, end - timedelta(days=90), end, chosen.results)
    with deps.uow(read_only=True) as uow:
        check_jurisdiction(uow.store, jurisdiction_id)
        rows = reads.public_requests(uow.store, chosen)
    return [request_view(row, locale) for row in rows]


def one_request(deps: Deps, case_no: str, locale: str, jurisdiction_id: str | None) -> list[dict[str, Any]]:
    """GET requests/{id}: a one-element list; 404 when it is no public request."""
    found = request_list(deps, reads.RequestFilter(case_nos=(case_no[:30],)), locale, jurisdiction_id)
    if not found:
        raise NotFound(f"service_request_id {case_no[:30]} not found", field="service_request_id")
    return found


def token_request(deps: Deps, token: str, jurisdiction_id: str | None) -> list[dict[str, Any]]:
    """GET tokens/{token}: ``[{service_request_id, token}]``; 404 for an unknown token."""
    with deps.uow(read_only=True) as uow:
        check_jurisdiction(uow.store, jurisdiction_id)
        case_no = reads.case_no_of_token(uow.store, token) if len(token) <= 64 else None
    if case_no is None:
        raise NotFound("token not found", field="token")
    return [{"service_request_id": case_no, "token": token}]
