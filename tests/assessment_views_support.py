"""Rounds, scored inspections, results and credit events written straight into the database for the assessment
views' tests (rankings, trends, map, report): the read models read rows, so the tests make the rows a finished
round leaves without running hundreds of inspections. Objects and companies get a fresh tag per test (the module's
city is shared by its tests); registry rows of both schemes come from ``tests/assessment_support.py``."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from assessment_support import DEMO, Place, open_round, seed_assessment_registry, square
from sqlalchemy.engine import Engine

from engine.persistence.assessment_records import (
    AssessedObjectRecord,
    AssessmentInspectionRecord,
    AssessmentResultRecord,
    AssessmentRoundRecord,
    PropertyCompanyRecord,
    PropertyCreditEventRecord,
)
from engine.persistence.records import CaseRecord

if TYPE_CHECKING:  # the API tests' client (tests/integration); the browser tests use the rest of this module
    from api_support import Api

NOW = datetime(2030, 6, 1, tzinfo=UTC)


def tag() -> str:
    """A fresh code prefix."""
    return uuid.uuid4().hex[:6].upper()


def registry(db: Engine) -> dict[str, int]:
    """The seeded registry objects (``GS-COM-1`` …, seeded once per database; the demo seed may have loaded the
    demo registry's checklists already) and each scheme's newest checklist id by scheme."""
    with db.connect() as conn:
        seeded = conn.execute(sa.text("SELECT 1 FROM assessed_objects WHERE code = 'GS-COM-1'")).first()
        has_checklists = conn.execute(sa.text("SELECT 1 FROM assessment_checklists")).first() is not None
    if seeded is None:
        seed_assessment_registry(db, DEMO, checklists=not has_checklists, now=NOW)
    with db.connect() as conn:
        checklists: dict[str, int] = dict(conn.execute(sa.text(
            "SELECT scheme, MAX(id) FROM assessment_checklists GROUP BY scheme")).all())
        objects: dict[str, int] = dict(conn.execute(sa.text("SELECT code, id FROM assessed_objects")).all())
    return {**checklists, **objects}


def company(db: Engine, name: str) -> tuple[str, int]:
    """A new property company: (code, id)."""
    code = f"PC-{tag()}"
    with db.begin() as conn:
        return code, conn.execute(sa.insert(PropertyCompanyRecord).values(
            code=code, name=name, contact_name=None, contact_phone=None, active=True, updated_at=NOW).returning(
            PropertyCompanyRecord.id)).scalar_one()


def obj(db: Engine, scheme: str, place: Place, name: str, company_id: int | None = None,
        street: str | None = "same") -> tuple[str, int]:
    """A new assessed object at ``place`` (a compound for property, with its square polygon): (code, id)."""
    code, kind = f"O-{tag()}", "compound" if scheme == "property" else "community"
    polygon = square(place.lon, place.lat) if kind == "compound" else None
    with db.begin() as conn:
        return code, conn.execute(sa.insert(AssessedObjectRecord).values(
            scheme=scheme, code=code, name=name, kind=kind, address=None, district_code=place.district,
            street_code=place.street if street == "same" else street, grid_code=place.grid, lon=place.lon,
            lat=place.lat, polygon_json=json.dumps(polygon) if polygon else None, min_lon=None, min_lat=None,
            max_lon=None, max_lat=None, company_id=company_id, department_code=place.department, active=True,
            updated_at=NOW).returning(AssessedObjectRecord.id)).scalar_one()


def bare_case(db: Engine) -> int:
    """A case row to hang a round or a rectification on (the read models only join its id)."""
    with db.begin() as conn:
        version = conn.execute(sa.text("SELECT MIN(id) FROM process_versions")).scalar_one()
        return conn.execute(sa.insert(CaseRecord).values(
            process_id="assessment_round", process_version_id=version, status="completed", version=1, channel=None,
            external_id=None, started_by="tests", started_at=NOW, updated_at=NOW, completed_at=NOW,
            workflow_json="{}", last_event_seq=0, last_event_hash="").returning(CaseRecord.id)).scalar_one()


def scored_round(db: Engine, scheme: str, period: str, checklist_id: int,
                 scores: dict[int, Any]) -> dict[int, int]:
    """A round of ``period`` with one inspection per object: ``scores`` object id → score (None: not inspected)
    or (score, failed items, state); the inspection ids by object id."""
    round_id, ids = open_round(db, {
        "scheme": scheme, "period": period, "case_id": bare_case(db), "checklist_id": checklist_id,
        "starts_at": NOW, "due_at": NOW + timedelta(days=30), "started_by": "tests"}, list(scores), now=NOW,
        inspections_due=NOW)
    with db.begin() as conn:
        conn.execute(sa.update(AssessmentRoundRecord).where(AssessmentRoundRecord.id == round_id).values(
            state="closed", closed_at=NOW))
        for inspection_id, given in zip(ids, scores.values(), strict=True):
            _score(conn, inspection_id, given)
    return dict(zip(scores, ids, strict=True))


def _score(conn: sa.Connection, inspection_id: int, given: Any) -> None:
    """The inspection as scored: ``given`` None (not inspected), a score, or (score, failed items, state)."""
    score, failed, state = given if isinstance(given, tuple) else (given, 0, None)
    conn.execute(sa.update(AssessmentInspectionRecord).where(AssessmentInspectionRecord.id == inspection_id).values(
        task_group="tests", state=state or ("open" if score is None else "closed"), score=score,
        deducted=None if score is None else 100 - score, failed_items=None if score is None else failed,
        inspected_by=None if score is None else "collector001", inspected_at=None if score is None else NOW,
        visits=0 if score is None else 1))

def result(db: Engine, inspection_id: int, visit: int, item: str, outcome: str, deduction: float = 0.0,
           rectification: bool = False) -> None:
    """An item's result at a visit; ``rectification``: the rectification case it opened."""
    case_id = bare_case(db) if rectification else None
    with db.begin() as conn:
        conn.execute(sa.insert(AssessmentResultRecord).values(
            inspection_id=inspection_id, visit=visit, item_code=item, result=outcome, deduction=deduction,
            deduction_code=None, note=None, photos_json="[]", case_id=case_id, recorded_by="collector001",
            recorded_at=NOW))


def credit_event(db: Engine, company_id: int, object_id: int, points: float, at: datetime) -> None:
    """A credit event of the company (a case inside its compound)."""
    with db.begin() as conn:
        conn.execute(sa.insert(PropertyCreditEventRecord).values(
            event_key=f"case:{tag()}", company_id=company_id, object_id=object_id, source="case", case_id=None,
            inspection_id=None, subtype_code="0601", points=points, reason="tests", at=at))


def ranking_rows(api: Api, query: str) -> dict[str, dict[str, Any]]:
    """The rankings (``/assessment/rankings?query``, as shiftlead01) by object code."""
    response = api.get(f"/assessment/rankings?{query}", "shiftlead01")
    assert response.status_code == 200, response.json
    return {row["code"]: row for row in response.json["rows"]}
