"""The property credit tests' shared parts (物业信用): the registry seeded once per module's city (the assessment
seed's two companies and compounds, plus a compound nested in the first, an inactive compound and a compound of an
inactive company), a tiny ``assessment_inspection`` process calling the deployed ``property_credit`` table (the
credit hook reads the table from the newest version of that process), a property round with inspections written
as the round's hook writes them, filing a case through the API, and the credit events read back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from api_support import Api
from api_support import case_id as case_id  # its tests import it from here
from assessment_support import DEMO, open_round, seed_assessment_registry, square

from engine.domain import commands as c
from engine.persistence.assessment_records import (
    AssessedObjectRecord,
    PropertyCompanyRecord,
)

ROOT = Path(__file__).resolve().parents[2]
OUTER = (117.6495, 24.5095)  # in PR-CMP-1 (PC-1), outside the nested compound
NESTED = (117.6505, 24.5105)  # in PR-IN-1 (PC-2), drawn inside PR-CMP-1
OUTSIDE = (117.647, 24.512)  # in no compound
RETIRED = (117.655, 24.515)  # in PR-OFF-1, an inactive compound of PC-1
ORPHANED = (117.645, 24.505)  # in PR-OFF-2, the compound of the inactive company PC-OFF
TINY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="tiny_credit" targetNamespace="http://gridcase.example/tests">
  <bpmn:process id="assessment_inspection" name="Credit points only (test)" isExecutable="true">
    <bpmn:startEvent id="started"/>
    <bpmn:sequenceFlow id="to_decide" sourceRef="started" targetRef="decide_credit_points"/>
    <bpmn:businessRuleTask id="decide_credit_points" name="Decide the credit points">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>property_credit</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="to_record" sourceRef="decide_credit_points" targetRef="record_credit"/>
    <bpmn:scriptTask id="record_credit" name="Record the credit points">
      <bpmn:script>credit = {"points": points, "reason": reason}
del points, reason, credit_input</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="record_credit" targetRef="ended"/>
    <bpmn:endEvent id="ended"/>
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass(frozen=True)
class Registry:
    """Ids of the seeded companies and compounds, by code."""

    companies: dict[str, int]
    compounds: dict[str, int]
    checklist: int


def _extra(conn: sa.Connection, code: str, company: int, where: tuple[float, float], half: float, active: bool,
           now: datetime) -> int:
    lon, lat = where
    return int(conn.execute(sa.insert(AssessedObjectRecord).values(
        scheme="property", code=code, name=f"小区{code}", kind="compound", address=None, district_code="350602",
        street_code=None, grid_code=None, lon=lon, lat=lat, polygon_json=json.dumps(square(lon, lat, half)),
        min_lon=lon - half, min_lat=lat - half, max_lon=lon + half, max_lat=lat + half, company_id=company,
        department_code=None, active=active, updated_at=now).returning(AssessedObjectRecord.id)).scalar_one())


def seeded(api: Api) -> Registry:
    """The registry of the module's city, seeded on first use; the tiny process deployed with the table."""
    with api.deps.db.connect() as conn:
        known = conn.execute(sa.text("SELECT id FROM property_companies WHERE code = 'PC-OFF'")).fetchone()
    if known is None:
        now = datetime.now(UTC)
        seed_assessment_registry(api.deps.db, DEMO, checklists=False, now=now)  # the demo seed loaded them
        with api.deps.db.begin() as conn:
            ids = {code: i for i, code in conn.execute(sa.text("SELECT id, code FROM property_companies"))}
            off = conn.execute(sa.insert(PropertyCompanyRecord).values(
                code="PC-OFF", name="停业物业有限公司", contact_name=None, contact_phone=None, active=False,
                updated_at=now).returning(PropertyCompanyRecord.id)).scalar_one()
            _extra(conn, "PR-IN-1", ids["PC-2"], NESTED, 0.0003, True, now)
            _extra(conn, "PR-OFF-1", ids["PC-1"], RETIRED, 0.001, False, now)
            _extra(conn, "PR-OFF-2", off, ORPHANED, 0.001, True, now)
        files = {"tiny_credit.bpmn": TINY, "property_credit.dmn": (ROOT / "rules" / "property_credit.dmn")
                 .read_text("utf-8")}
        api.bus.handle(c.DeployProcesses(files, "tests"))
    with api.deps.db.connect() as conn:
        companies = {code: i for i, code in conn.execute(sa.text("SELECT id, code FROM property_companies"))}
        compounds = {code: i for i, code in conn.execute(sa.text(
            "SELECT id, code FROM assessed_objects WHERE scheme = 'property'"))}
        checklist = conn.execute(sa.text("SELECT MIN(id) FROM assessment_checklists WHERE scheme = 'property'"))
        return Registry(companies, compounds, int(checklist.scalar_one()))


def filed(api: Api, where: tuple[float, float], subtype: str) -> str:
    """A case of ``subtype`` reported at ``where`` on patrol (no on-site verification) and filed (立案); its
    number."""
    case_no = api.new_case("collector001", subtype_code=subtype, lon=where[0], lat=where[1], channel="patrol")
    api.step(case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
    return case_no


def events(api: Api, key: str) -> list[dict[str, Any]]:
    """The credit events with ``key`` (``case:<id>``, ``inspection:<id>``)."""
    with api.deps.db.connect() as conn:
        rows = conn.execute(sa.text("SELECT event_key, company_id, object_id, source, case_id, inspection_id,"
                                    " subtype_code, points, reason FROM property_credit_events WHERE event_key = :k"),
                            {"k": key}).mappings().all()
    return [dict(r) for r in rows]


def inspections(api: Api, registry: Registry, period: str, codes: list[str], round_case_no: str) -> dict[str, int]:
    """A property round of ``period`` (its case: ``round_case_no``'s) with an open inspection per compound code,
    written as the round's hook writes them; the inspections' ids by code."""
    now = datetime.now(UTC)
    _, ids = open_round(api.deps.db, {
        "scheme": "property", "period": period, "case_id": case_id(api, round_case_no),
        "checklist_id": registry.checklist, "starts_at": now, "due_at": now + timedelta(days=30),
        "started_by": "tests"}, [registry.compounds[code] for code in codes], now=now)
    return dict(zip(codes, ids, strict=True))
