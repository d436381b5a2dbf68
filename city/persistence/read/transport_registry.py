"""The transport registries as the GPS ingest and the pages read them: vehicles by device, sites, permits by
vehicle, companies (``registry_snapshot``), and a cheap fingerprint (``registry_version``) that tells a process
when its cached snapshot is stale."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class VehicleRow:
    """A registered truck."""

    id: int
    plate: str
    company_id: int
    device_id: str
    active: bool


@dataclass(frozen=True)
class SiteRow:
    """A source (出土点) or disposal (消纳场) site; ``geometry``: GeoJSON Polygon or MultiPolygon (WGS84)."""

    id: int
    code: str
    name: str
    kind: str
    geometry: dict[str, Any]


@dataclass(frozen=True)
class PermitRow:
    """A transport permit (核准); ``corridor``: GeoJSON LineString (WGS84), buffered ``corridor_width_m`` either
    side; ``hours``: ["HH:MM-HH:MM", …] in the city's time zone (a window may pass midnight; empty: any hour)."""

    id: int
    code: str
    company_id: int
    source_site_id: int
    disposal_site_id: int
    corridor: dict[str, Any]
    corridor_width_m: float
    valid_from: datetime
    valid_to: datetime
    hours: tuple[str, ...]
    state: str
    vehicle_ids: tuple[int, ...]


@dataclass(frozen=True)
class CompanyRow:
    """A transport company (运输企业)."""

    id: int
    code: str
    name: str
    active: bool


@dataclass(frozen=True)
class RegistrySnapshot:
    """Everything the ingest needs, read at once; ``version``: ``registry_version`` when it was read."""

    version: str
    vehicles_by_device: dict[str, VehicleRow] = field(default_factory=dict)
    companies: dict[int, CompanyRow] = field(default_factory=dict)
    sites: dict[int, SiteRow] = field(default_factory=dict)
    permits_by_vehicle: dict[int, tuple[PermitRow, ...]] = field(default_factory=dict)
