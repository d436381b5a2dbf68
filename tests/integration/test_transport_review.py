"""The transport alert review keeps gps_alerts.state (city/transport/review.py), on SQLite and PostgreSQL: a review
completed through the task API confirms or dismisses its own alert in the same transaction; another alert, and an
alert already reviewed, stay as they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from api_support import Api
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.persistence.transport_records import GpsAlertRecord, TransportCompanyRecord, TransportVehicleRecord
from engine.service.deploy import read_sources

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = [ROOT / "workflows" / "transport_alert.bpmn", ROOT / "rules" / "gps_violation.dmn",
               ROOT / "rules" / "gps_alert_review.dmn"]
RULE = "stop_over_10_minutes_outside_sites"  # rules/gps_violation.dmn's suspected-dumping rule
REVIEWER = "dept_c03_01"  # a member of C03 漳州市城市管理局, the review rules' group
FACTS = {"has_permit": True, "moving": False, "speed_kmh": 0.0, "off_corridor_seconds": 0, "off_corridor_max_m": 0,
         "stop_minutes": 14, "stop_at_site": False, "out_of_hours_minutes": 0, "unpermitted_minutes": 0,
         "silent_minutes": 0}


def _vehicle(db: Engine, plate: str) -> tuple[int, int]:
    """A company with one truck (the ingest's registry rows, written directly): (company id, vehicle id)."""
    now = datetime.now(UTC)
    with db.begin() as conn:
        company = conn.execute(sa.insert(TransportCompanyRecord).values(
            code=f"C-{plate}", name="漳州顺达渣土运输有限公司", credit_code=None, contact=None, phone=None, active=True,
            updated_at=now).returning(TransportCompanyRecord.id)).scalar_one()
        vehicle = conn.execute(sa.insert(TransportVehicleRecord).values(
            plate=plate, company_id=company, device_id=f"dev-{plate}", active=True,
            updated_at=now).returning(TransportVehicleRecord.id)).scalar_one()
    return int(company), int(vehicle)


def _alert(db: Engine, company_id: int, vehicle_id: int, key: str) -> int:
    """An open suspected-dumping alert of the vehicle, as the ingest inserts it; its id."""
    now = datetime.now(UTC)
    with db.begin() as conn:
        return int(conn.execute(sa.insert(GpsAlertRecord).values(
            alert_key=f"{vehicle_id}:suspected_dumping:{key}", vehicle_id=vehicle_id, company_id=company_id,
            permit_id=None, kind="suspected_dumping", rule_id=RULE, subtype_code="0809",
            severity="high", started_at=now - timedelta(minutes=14), last_seen_at=now, lon=117.65, lat=24.51,
            facts_json="{}", track_json="{}", state="open", review_case_id=None, case_id=None,
            created_at=now).returning(GpsAlertRecord.id)).scalar_one())


def _review_case(api: Api, db: Engine, alert_id: int, plate: str) -> str:
    """The alert's transport_alert case, started as the ingest starts it and linked to the alert; its number."""
    data: dict[str, Any] = {"alert": {
        "id": alert_id, "kind": "suspected_dumping", "severity": "high", "plate": plate, "company_code": f"C-{plate}",
        "company_name": "漳州顺达渣土运输有限公司", "permit_code": None, "started_at": datetime.now(UTC).isoformat(),
        "lon": 117.65, "lat": 24.51, "facts": FACTS, "rule_id": RULE, "case_no": None}}
    started = api.bus.handle(c.StartCase("transport_alert", data, "gps"))
    with db.begin() as conn:
        conn.execute(sa.update(GpsAlertRecord).where(GpsAlertRecord.id == alert_id)
                     .values(review_case_id=started.case_id))
    return str(started.case_no)


def _states(db: Engine, *alert_ids: int) -> list[str]:
    with db.connect() as conn:
        return [conn.execute(sa.select(GpsAlertRecord.state).where(GpsAlertRecord.id == i)).scalar_one()
                for i in alert_ids]


def _review(api: Api, case_no: str, review: dict[str, Any]) -> None:
    """Complete the case's review task through the task API as the C03 reviewer."""
    task = api.task(case_no, "review_transport_alert", REVIEWER)
    response = api.post(f"/tasks/{task['id']}/claim", REVIEWER)
    assert response.status_code == 200, response.json
    response = api.complete(task["id"], {"review": review}, REVIEWER)
    assert response.status_code == 200, response.json


def test_a_confirmed_review_confirms_its_alert_only(api: Api) -> None:
    db = api.deps.db
    api.bus.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    company, vehicle = _vehicle(db, "闽E·R0001")
    reviewed, other = _alert(db, company, vehicle, "a"), _alert(db, company, vehicle, "b")
    case_no = _review_case(api, db, reviewed, "闽E·R0001")
    _review_case(api, db, other, "闽E·R0001")
    assert _states(db, reviewed, other) == ["open", "open"]
    _review(api, case_no, {"decision": "confirm", "note": "现场核实"})
    assert _states(db, reviewed, other) == ["confirmed", "open"]


def test_a_dismissed_review_dismisses_its_alert(api: Api) -> None:
    db = api.deps.db
    api.bus.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    company, vehicle = _vehicle(db, "闽E·R0002")
    alert_id = _alert(db, company, vehicle, "a")
    case_no = _review_case(api, db, alert_id, "闽E·R0002")
    refused = api.complete(api.task(case_no, "review_transport_alert", REVIEWER)["id"],
                           {"review": {"decision": "dismiss"}}, REVIEWER)
    assert refused.status_code == 422 and _states(db, alert_id) == ["open"]  # a false alert needs its reason
    _review(api, case_no, {"decision": "dismiss", "note": "车辆在消纳场内等候"})
    assert _states(db, alert_id) == ["dismissed"]


def test_a_case_naming_another_alert_changes_nothing(api: Api) -> None:
    db = api.deps.db
    api.bus.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    company, vehicle = _vehicle(db, "闽E·R0003")
    alert_id = _alert(db, company, vehicle, "a")
    _review_case(api, db, alert_id, "闽E·R0003")
    forged = api.bus.handle(c.StartCase("transport_alert", {"alert": {
        "id": alert_id, "kind": "suspected_dumping", "severity": "high", "facts": FACTS, "rule_id": "x"}}, "admin"))
    _review(api, str(forged.case_no), {"decision": "dismiss", "note": "伪造"})
    assert _states(db, alert_id) == ["open"]
