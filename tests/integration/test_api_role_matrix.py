"""The authorization matrix: every API route asked by every role (and by nobody), refused (401/403) or let through.

Each row names the roles a route lets through; the rest must get 403 (401 without credentials). Bodies are empty
or invalid on purpose, so a role let through gets a 4xx from validation or lookup, never a change. The table is
written out here, not derived from ``web.policy``, so a change of policy shows as a change of this table.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import PASSWORD, Api, png_bytes
from role_matrix_rules import rule_of

from engine.domain import commands as c
from engine.service.accounts import principal

INTEGRATION, INTEGRATION_PASSWORD = "matrix_integration", "matrix-integration-pw"
USERS = {"collector": "collector001", "seat_operator": "seat01", "shift_lead": "shiftlead01",
         "dispatcher": "dispatcher01", "department_member": "dept_c01_01", "supervisor": "supervisor01",
         "process_designer": "designer01", "auditor": "auditor01", "admin": "admin", "vision_worker": "vision01",
         "integration": INTEGRATION}
ANYONE = frozenset(USERS)
READERS = ANYONE - {"vision_worker"}  # the vision worker reads only the cases it started: none of these
CENTRE = frozenset({"seat_operator", "shift_lead", "dispatcher", "supervisor"})
DESIGN = frozenset({"process_designer", "admin"})
MODEL_READERS = DESIGN | {"auditor"}
ANALYSTS = frozenset({"supervisor", "shift_lead", "dispatcher", "auditor", "admin"})
KPI_ALL = frozenset({"supervisor", "shift_lead", "auditor", "admin"})
CAMPAIGN_READERS = CENTRE | {"auditor", "admin"}
# dept_c01_01's C01 supervises no transport (the demo city's transport.json names C03, C04: test_transport_views)
TRANSPORT_READERS = CENTRE | {"auditor", "admin"}
ASSESSMENT_READERS = CENTRE | {"auditor", "admin"}  # and the managing departments' members (not C01's)
SWEEPERS = frozenset({"collector", "department_member"})  # a grid's team: its task group decides which grids
CASE = "{case}"  # replaced by a case reported by seat01 in 350602 (collector001's district, not C01's)
DIGEST = "{digest}"  # replaced by the sha256 of a photo seat01 attached to it

# (method, path, roles let through). Let through = any status but 401/403 (and 404 on the case's routes: a case
# hidden from a role is refused as "not found").
MATRIX: list[tuple[str, str, frozenset[str]]] = [
    ("GET", "/cases/{case}", READERS - {"process_designer", "department_member"}),
    ("GET", "/cases/{case}/events", READERS - {"process_designer", "department_member"}),
    ("POST", "/cases/{case}/attachments", READERS - {"process_designer", "department_member", "auditor"}),
    ("GET", "/cases/{case}/attachments/{digest}", READERS - {"process_designer", "department_member"}),
    ("GET", "/cases/{case}/diagram", READERS - {"process_designer", "department_member"}),
    ("GET", "/cases/{case}/duplicate-candidates", READERS - {"process_designer", "department_member"}),
    ("GET", "/cases/{case}/links", READERS - {"process_designer", "department_member"}),
    ("POST", "/cases/{case}/void-as-duplicate", frozenset({"collector", "seat_operator", "shift_lead", "dispatcher",
                                                           "supervisor"})),  # who works tasks; the task decides
    ("POST", "/cases", frozenset({"seat_operator", "collector", "shift_lead", "dispatcher", "integration", "admin"})),
    ("POST", "/messages", frozenset({"integration", "admin", "vision_worker"})),
    ("POST", "/signals", frozenset({"integration", "admin"})),
    ("GET", "/tasks", READERS),
    ("GET", "/tasks/0", READERS),
    ("POST", "/tasks/0/claim", READERS),
    ("POST", "/tasks/0/unclaim", READERS),
    ("POST", "/tasks/0/complete", READERS),
    ("POST", "/tasks/0/reassign", frozenset({"shift_lead", "supervisor", "admin"})),  # 改派
    ("POST", "/tasks/0/release", frozenset({"shift_lead", "supervisor", "admin"})),  # 强制释放
    ("GET", "/tasks/0/eligible", frozenset({"shift_lead", "supervisor", "admin"})),
    ("GET", "/city/grids?level=district", READERS),
    ("GET", "/city/locate?lon=117.65&lat=24.51", READERS),
    ("GET", "/city/subtypes", READERS),
    ("GET", "/city/departments", READERS),
    ("GET", "/city/calendar", READERS),
    ("POST", "/city/calendar", frozenset({"admin"})),
    ("GET", "/users", frozenset({"admin"})),
    ("POST", "/users", frozenset({"admin"})),
    ("PUT", "/users/nobody-here/password", frozenset({"admin"})),
    ("GET", "/users/nobody-here/tokens", frozenset({"admin"})),
    ("POST", "/users/nobody-here/tokens", frozenset({"admin"})),
    ("DELETE", "/users/nobody-here/tokens/1", frozenset({"admin"})),
    ("GET", "/audit/cases", frozenset({"auditor", "admin"})),
    ("GET", "/cases/{case}/replay", frozenset({"auditor", "admin"})),
    ("POST", "/cases/{case}/replay/verify", frozenset({"auditor", "admin"})),
    ("GET", "/analysis/heatmap", ANALYSTS),
    ("GET", "/analysis/points", ANALYSTS),
    ("GET", "/analysis/grids/350602001001/cases", ANALYSTS),
    ("GET", "/analysis/hotspots", ANALYSTS),
    ("GET", "/analysis/trends", ANALYSTS),
    ("GET", "/analysis/grid-shapes", ANALYSTS),
    ("GET", "/kpi/ranking?level=department", KPI_ALL | {"department_member"}),
    ("GET", "/kpi/ranking?level=collector", KPI_ALL),
    ("GET", "/kpi/departments/C01", KPI_ALL | {"department_member"}),
    ("GET", "/kpi/config", KPI_ALL | {"department_member"}),
    ("GET", "/processes", MODEL_READERS),
    ("GET", "/processes/case_lifecycle/versions", MODEL_READERS),
    ("GET", "/processes/case_lifecycle/versions/1", MODEL_READERS),
    ("GET", "/processes/case_lifecycle/diff?from=1&to=1", MODEL_READERS),
    ("GET", "/processes/sources", DESIGN),
    ("GET", "/processes/sources/case_lifecycle.bpmn", DESIGN),
    ("GET", "/processes/forms/confirm_dispatch.json", DESIGN),
    ("GET", "/drafts", DESIGN),
    ("GET", "/drafts/none.bpmn", DESIGN),
    ("PUT", "/drafts/none.bpmn", DESIGN),
    ("DELETE", "/drafts/none.bpmn", DESIGN),
    ("POST", "/processes/validate", DESIGN),
    ("POST", "/processes/deploy", DESIGN),
    ("POST", "/processes/timer-preview", DESIGN),
    ("POST", "/processes/case_lifecycle/migrate", DESIGN),
    ("GET", "/processes/startable", ANYONE),  # each sees what it may start (often nothing)
    ("POST", "/processes/case_lifecycle/cases", DESIGN),  # names no starters; {} then fails its first script: 422
    ("POST", "/rules/evaluate", DESIGN | {"auditor"}),
    ("POST", "/vision/detections", frozenset({"vision_worker", "integration", "admin"})),
    ("GET", "/vision/precision", frozenset({"auditor", "admin", "supervisor", "shift_lead", "seat_operator"})),
    ("POST", "/jobs/fetch-and-lock", frozenset({"integration"})),  # external workers: machine accounts
    ("GET", "/jobs/1", frozenset({"integration", "admin"})),
    ("POST", "/jobs/1/complete", frozenset({"integration"})),
    ("POST", "/jobs/1/failure", frozenset({"integration"})),
    ("POST", "/jobs/1/bpmn-error", frozenset({"integration"})),
    ("POST", "/jobs/1/extend-lock", frozenset({"integration"})),
    ("GET", "/incidents", frozenset({"admin"})),
    ("POST", "/incidents/1/retry", frozenset({"admin"})),
    ("POST", "/incidents/1/resolve", frozenset({"admin"})),
    ("GET", "/events/stream", ANYONE),  # each its own inbox and task groups
    ("GET", "/notifications", ANYONE),
    ("POST", "/notifications/read", ANYONE),  # {} names neither ids nor all: 422
    ("GET", "/notification-subscriptions", ANYONE - {"integration", "vision_worker"}),
    ("PUT", "/notification-subscriptions", ANYONE - {"integration", "vision_worker"}),
    ("DELETE", "/notification-subscriptions/1", ANYONE - {"integration", "vision_worker"}),
    ("GET", "/cases/{case}/notifications", READERS - {"process_designer", "department_member"}),
    ("POST", "/notifications/deliveries/1/resend", frozenset({"supervisor", "admin"})),
    # the admin pages' API (city/admin): unknown codes and users, so an admin's {} changes nothing (404/422)
    ("GET", "/admin/departments", frozenset({"admin"})),
    ("POST", "/admin/departments", frozenset({"admin"})),
    ("PATCH", "/admin/departments/NOPE", frozenset({"admin"})),
    ("POST", "/admin/departments/NOPE/disable", frozenset({"admin"})),
    ("GET", "/admin/subtypes", frozenset({"admin"})),
    ("POST", "/admin/subtypes", frozenset({"admin"})),
    ("PATCH", "/admin/subtypes/NOPE", frozenset({"admin"})),
    ("POST", "/admin/subtypes/NOPE/enable", frozenset({"admin"})),
    ("GET", "/admin/channels", frozenset({"admin"})),
    ("POST", "/admin/channels", frozenset({"admin"})),
    ("PATCH", "/admin/channels/NOPE", frozenset({"admin"})),
    ("GET", "/admin/routing", frozenset({"admin"})),
    ("PUT", "/admin/routing/NOPE", frozenset({"admin"})),
    ("GET", "/admin/changes", frozenset({"admin"})),
    ("GET", "/admin/users", frozenset({"admin"})),
    ("POST", "/admin/users/nobody-here/disable", frozenset({"admin"})),
    ("PUT", "/admin/users/nobody-here/role", frozenset({"admin"})),
    ("POST", "/admin/users/nobody-here/password-reset", frozenset({"admin"})),
    # emergency command dashboard and report (web/api/emergency_dashboard.py): an unknown emergency, 404 when let
    # through (READ_EMERGENCIES)
    ("GET", "/emergencies/999999/dashboard", CENTRE | {"auditor", "admin"}),
    ("GET", "/emergencies/999999/report", CENTRE | {"auditor", "admin"}),
    # emergency declaration and assembly (web/api/emergency.py): an empty declaration is 422, an unknown emergency
    # 404 when let through; ending one is its commander's or DECLARE_EMERGENCIES' (known only with the emergency)
    ("POST", "/emergencies", frozenset({"shift_lead", "supervisor", "admin"})),
    ("GET", "/emergencies", CENTRE | {"auditor", "admin"}),
    ("GET", "/emergencies/999999", CENTRE | {"auditor", "admin"}),
    ("GET", "/emergencies/999999/assembly", CENTRE | {"auditor", "admin"}),
    ("POST", "/emergencies/999999/acknowledge", CENTRE | {"collector", "department_member"}),
    ("POST", "/emergencies/999999/check-in", CENTRE | {"collector", "department_member"}),
    ("POST", "/emergencies/999999/end", ANYONE),
    ("GET", "/transport/vehicles/live", TRANSPORT_READERS),
    ("GET", "/transport/vehicles/NOPE/track", TRANSPORT_READERS),
    ("GET", "/transport/alerts", TRANSPORT_READERS),
    ("GET", "/transport/alerts/999999", TRANSPORT_READERS),
    # transport registries (web/api/transport_registry.py): an admin's {} names no files (422)
    ("POST", "/transport/registry", frozenset({"admin"})),
    ("GET", "/transport/companies", TRANSPORT_READERS),
    ("GET", "/transport/vehicles?company=NOPE", TRANSPORT_READERS),
    ("GET", "/transport/sites?geometry=0", TRANSPORT_READERS),
    ("GET", "/transport/permits", TRANSPORT_READERS),
    # decoration works (web/api/decoration.py): {} names the missing fields (422), an unknown works 404
    ("POST", "/decoration-works", frozenset({"seat_operator", "collector", "department_member", "admin"})),
    ("GET", "/decoration-works", CENTRE | {"department_member", "collector", "auditor", "admin"}),
    ("GET", "/decoration-works/NOPE", CENTRE | {"department_member", "collector", "auditor", "admin"}),
    ("POST", "/decoration-works/NOPE/removal", frozenset({"seat_operator", "collector", "department_member", "admin"})),
    ("POST", "/decoration-works/NOPE/cancel", frozenset({"seat_operator", "collector", "department_member", "admin"})),
    # GPS positions in (web/api/gps.py): integration accounts and admins; {} names no positions (422)
    ("POST", "/gps/positions", frozenset({"integration", "admin"})),
    # census campaigns (web/api/campaigns.py): an unknown campaign, so whoever is let through gets 404/422
    ("GET", "/campaign-topics", CAMPAIGN_READERS | SWEEPERS),
    ("POST", "/campaigns", frozenset({"shift_lead", "supervisor", "admin"})),
    ("POST", "/campaigns/999999/end", frozenset({"shift_lead", "supervisor", "admin"})),
    ("GET", "/campaigns", CAMPAIGN_READERS),
    ("GET", "/campaigns/999999", CAMPAIGN_READERS),
    ("GET", "/campaigns/999999/progress", CAMPAIGN_READERS),
    ("GET", "/campaigns/999999/grids", CAMPAIGN_READERS),
    ("GET", "/campaigns/999999/report", CAMPAIGN_READERS),
    ("GET", "/campaigns/999999/grids/350602001001", CAMPAIGN_READERS | SWEEPERS),  # sweepers: their grids only
    ("POST", "/campaigns/999999/grids/350602001001/checks", SWEEPERS),  # the command checks the grid's group
    ("POST", "/campaigns/999999/grids/350602001001/findings", SWEEPERS),
    ("POST", "/campaign-findings/999999/state", SWEEPERS | {"shift_lead", "supervisor", "admin"}),
    # enforcement records and the teams' KPIs (web/api/enforcement.py): members read their own team's (404 otherwise)
    ("GET", "/enforcement/cases", CENTRE | {"department_member", "auditor", "admin"}),
    ("GET", "/enforcement/cases/999999", CENTRE | {"department_member", "auditor", "admin"}),
    ("GET", "/kpi/enforcement", KPI_ALL | {"department_member"}),
    # 转执法 (web/api/enforcement_transfer.py): {} names the missing reason (422); the command checks the department
    ("POST", "/cases/{case}/enforcement", frozenset({"dispatcher", "shift_lead", "supervisor", "department_member"})),
    # assessment rankings, trends, map, report (web/api/assessment_views.py): no scheme → 422; dept_c01_01's C01
    # manages no assessment (the demo city's assessment.json names C06, C27: test_assessment_readers)
    ("GET", "/assessment/rankings", ASSESSMENT_READERS),
    ("GET", "/assessment/trends", ASSESSMENT_READERS),
    ("GET", "/assessment/map", ASSESSMENT_READERS),
    ("GET", "/assessment/report", ASSESSMENT_READERS),
    # property companies' credit (web/api/property_credit.py): an unknown company 404
    ("GET", "/property/companies", ASSESSMENT_READERS),
    ("GET", "/property/companies/NOPE", ASSESSMENT_READERS),
    # assessment inspections (web/api/assessment_inspections.py): readers and inspectors; an unknown one 404, {} 422
    ("GET", "/assessment/inspections", CENTRE | {"collector", "department_member", "auditor", "admin"}),
    ("GET", "/assessment/inspections/999999", CENTRE | {"collector", "department_member", "auditor", "admin"}),
    ("POST", "/assessment/inspections/999999/items", SWEEPERS),
    # assessment rounds (web/api/assessment_rounds.py): {} names no scheme (422); an unknown round 404
    ("POST", "/assessment/rounds", frozenset({"shift_lead", "supervisor", "admin"})),
    ("GET", "/assessment/rounds", ASSESSMENT_READERS),
    ("GET", "/assessment/rounds/999999", ASSESSMENT_READERS),
    # assessment registries (web/api/assessment_registry.py): an admin's {} names no files / no active (422)
    ("POST", "/assessment/registry", frozenset({"admin"})),
    ("GET", "/assessment/objects", CENTRE | {"department_member", "collector", "auditor", "admin"}),
    ("GET", "/assessment/objects/property/NOPE", CENTRE | {"department_member", "collector", "auditor", "admin"}),
    ("POST", "/assessment/objects/property/NOPE/active", frozenset({"admin"})),
    ("GET", "/assessment/checklists/property", CENTRE | {"department_member", "collector", "auditor", "admin"}),
    # connectors (web/connectors/api.py): an admin's {} is no configuration file (422); unknown ones 404
    ("POST", "/connectors", frozenset({"admin"})),
    ("GET", "/connectors", frozenset({"shift_lead", "admin"})),
    ("GET", "/connectors/NOPE", frozenset({"shift_lead", "admin"})),
    ("GET", "/connectors/NOPE/deliveries", frozenset({"shift_lead", "admin"})),
    ("POST", "/connectors/deliveries/999999/retry", frozenset({"admin"})),
    # Open311 api keys (web/open311/keys_api.py): an admin's {} names no name (422); an unknown key 404
    ("GET", "/open311/keys", frozenset({"admin"})),
    ("POST", "/open311/keys", frozenset({"admin"})),
    ("POST", "/open311/keys/999999/revoke", frozenset({"admin"})),
    # the upper-level exchange (web/exchange/api.py): an unknown connector is 404 for those allowed
    ("GET", "/exchange/NOPE/batches", frozenset({"shift_lead", "admin"})),
    ("POST", "/exchange/NOPE/export", frozenset({"admin"})),
    ("POST", "/exchange/NOPE/inbox", frozenset({"admin"})),
]


@pytest.fixture
def matrix_api(city: str, tmp_path: Path) -> Iterator[Api]:
    """The app, with an integration client (created once per database) besides the demo users."""
    api = Api(city, tmp_path)
    if principal(api.deps, INTEGRATION) is None:
        api.bus.handle(c.AddUser(INTEGRATION, "Matrix integration", "integration", INTEGRATION_PASSWORD))
    api.token(INTEGRATION, INTEGRATION_PASSWORD)
    yield api
    api.close()


def test_every_route_lets_through_exactly_the_roles_of_the_matrix(matrix_api: Api) -> None:
    api = matrix_api
    case_no = api.new_case()
    photo = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers("seat01"),
                            data={"file": (io.BytesIO(png_bytes()), "a.png")})
    assert photo.status_code == 201, photo.json
    wrong: list[str] = []
    for method, template, allowed in MATRIX:
        path = "/api/v1" + template.replace(CASE, case_no).replace(DIGEST, photo.json["sha256"])
        refusals = (401, 403, 404) if template.startswith("/cases/{case}") else (401, 403)
        anonymous = api.client.open(path, method=method, json={})
        if anonymous.status_code != 401:
            wrong.append(f"{method} {template} without credentials: {anonymous.status_code}")
        for role, user in USERS.items():
            password = INTEGRATION_PASSWORD if role == "integration" else PASSWORD
            headers = {"Authorization": f"Bearer {api.token(user, password)}"}
            response = api.client.open(path, method=method, json={}, headers=headers)
            response.close()  # a download's file
            status = response.status_code
            assert status < 500, (method, template, role, status)
            if (status not in refusals) != (role in allowed):
                expected = "through" if role in allowed else refusals
                wrong.append(f"{method} {template} as {role}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_names_every_api_route(matrix_api: Api) -> None:
    """A new route needs its row here."""
    routes = {(method, rule.rule.removeprefix("/api/v1")) for rule in matrix_api.app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1") for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    public = {("POST", "/auth/token"), ("GET", "/openapi.json")}
    covered = {(method, rule_of(template, CASE, DIGEST)) for method, template, _ in MATRIX}
    assert routes - public == covered
