"""The decoration works' integration tests' shared parts (室内装修工程): the model's files, the office, a works'
body and its registration through the API, rows read back, and transport permits written as a registry load
writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from api_support import Api
from api_support import rows as rows  # its tests import it from here

from engine.domain.city_zone import city_zone
from engine.persistence.transport_records import (
    TransportCompanyRecord,
    TransportPermitRecord,
    TransportSiteRecord,
)

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = [ROOT / "workflows" / "decoration_works.bpmn", ROOT / "rules" / "decoration_offices.dmn"]
OFFICE = "dept_350602d02_01"  # 芗城区城市管理局, the office of district 350602
SQUARE = {"type": "Polygon", "coordinates": [[[117.6, 24.5], [117.61, 24.5], [117.61, 24.51], [117.6, 24.5]]]}


def today() -> date:
    """The city's date now (the app's clock is the real one here)."""
    return datetime.now(city_zone()).date()


def body(lon: float, lat: float, **overrides: Any) -> dict[str, Any]:
    """A works at (lon, lat) starting today for ten days."""
    start = today()
    return {"address": "芗城区胜利西路 18 号 3 栋 502", "compound_name": "胜利花园", "lon": lon, "lat": lat,
            "owner_name": "林先生", "owner_phone": "13905961234", "contractor": "漳州美居装饰工程有限公司",
            "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=10)).isoformat(),
            "expected_waste_m3": 12.5, **overrides}


def register(api: Api, lon: float, lat: float, user: str = "seat01", **overrides: Any) -> dict[str, Any]:
    """Register a works through the API as ``user`` (201 asserted): the response's body."""
    response = api.post("/decoration-works", user, body(lon, lat, **overrides))
    assert response.status_code == 201, response.json
    return dict(response.json)


def permit(api: Api, code: str, *, state: str = "active", company_active: bool = True,
           valid_days: tuple[int, int] = (-30, 60), valid_to: datetime | None = None) -> str:
    """A company, its two sites and a permit ``code`` valid ``valid_days`` around today (rows, as a load writes),
    or to ``valid_to`` when given."""
    now = datetime.now(UTC)
    midnight = datetime.combine(today(), time(0), tzinfo=city_zone())
    with api.deps.db.begin() as conn:
        company = conn.execute(sa.insert(TransportCompanyRecord).values(
            code=f"CO-{code}", name="漳州顺达渣土运输有限公司", credit_code=None, contact=None, phone=None,
            active=company_active, updated_at=now).returning(TransportCompanyRecord.id)).scalar_one()
        sites = [conn.execute(sa.insert(TransportSiteRecord).values(
            code=f"{kind[:3].upper()}-{code}", name=kind, kind=kind, company_id=None, geometry_json=str(SQUARE)
            .replace("'", '"'), updated_at=now).returning(TransportSiteRecord.id)).scalar_one()
            for kind in ("source", "disposal")]
        conn.execute(sa.insert(TransportPermitRecord).values(
            code=code, company_id=company, source_site_id=sites[0], disposal_site_id=sites[1],
            corridor_json='{"type": "LineString", "coordinates": [[117.6, 24.5], [117.61, 24.51]]}',
            corridor_width_m=50.0, valid_from=(midnight + timedelta(days=valid_days[0])).astimezone(UTC),
            valid_to=(valid_to or midnight + timedelta(days=valid_days[1])).astimezone(UTC),
            hours_json="[]", state=state, updated_at=now))
    return code
