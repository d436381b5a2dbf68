"""Construction-waste transport supervision's tables (渣土运输监管; city/transport), migration 0031.

The registries — ``transport_companies``, ``transport_vehicles`` (plate, company, GPS device), ``transport_sites``
(source and disposal sites, polygons) and ``transport_permits`` (核准: sites, route corridor as a line buffered by
``corridor_width_m``, validity window, permitted hours) with ``transport_permit_vehicles`` — are loaded from files
and kept by admins. ``gps_positions`` holds every accepted position, once per device and timestamp (its primary
key: a batch sent again adds nothing); on PostgreSQL it is partitioned by UTC day (``gps_positions_pYYYYMMDD``,
created as positions arrive, dropped after the retention period) with a BRIN index on time. ``vehicle_track_states``
is each vehicle's running facts (where it was, since when it is off its corridor, stopped, moving out of hours);
``gps_alerts`` one row per rule hit — per vehicle, kind and episode (``alert_key``), so the same violation never
raises two alerts or opens two cases.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base

PARTITION_PREFIX = "gps_positions_p"  # + YYYYMMDD: PostgreSQL's daily partitions of gps_positions


class TransportCompanyRecord(Base):
    """A licensed transport company (运输企业) and its credit code."""

    __tablename__ = "transport_companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    credit_code: Mapped[str | None] = mapped_column(sa.String(40))  # 统一社会信用代码
    contact: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(sa.Boolean)
    updated_at: Mapped[datetime] = mapped_column(TS)


class TransportVehicleRecord(Base):
    """A truck: plate, company and the GPS device that reports its positions."""

    __tablename__ = "transport_vehicles"
    __table_args__ = (sa.Index("ix_transport_vehicles_company_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(sa.String(20), unique=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_companies.id"))
    device_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    updated_at: Mapped[datetime] = mapped_column(TS)


class TransportSiteRecord(Base):
    """A construction (source, 出土点) or disposal (消纳场) site, or a company's depot (停车场: where its trucks park
    and wait — a stop there is no dumping): its polygon as GeoJSON; ``company_id`` the depot's company."""

    __tablename__ = "transport_sites"
    __table_args__ = (sa.CheckConstraint("kind IN ('source', 'disposal', 'depot')", name="ck_transport_sites_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10))
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transport_companies.id"))
    geometry_json: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(TS)


class TransportPermitRecord(Base):
    """A transport permit (核准): from a source site to a disposal site along a corridor (GeoJSON line, buffered by
    ``corridor_width_m`` either side), valid from/to, at the permitted hours (``hours_json``: ["HH:MM-HH:MM", …]
    in the city's time zone; empty: any hour); 'revoked' permits permit nothing."""

    __tablename__ = "transport_permits"
    __table_args__ = (sa.CheckConstraint("state IN ('active', 'revoked')", name="ck_transport_permits_state"),
                      sa.Index("ix_transport_permits_company_id", "company_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_companies.id"))
    source_site_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_sites.id"))
    disposal_site_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_sites.id"))
    corridor_json: Mapped[str] = mapped_column(sa.Text)
    corridor_width_m: Mapped[float] = mapped_column(sa.Float)
    valid_from: Mapped[datetime] = mapped_column(TS)
    valid_to: Mapped[datetime] = mapped_column(TS)
    hours_json: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(10))
    updated_at: Mapped[datetime] = mapped_column(TS)


class TransportPermitVehicleRecord(Base):
    """A vehicle named on a permit."""

    __tablename__ = "transport_permit_vehicles"
    __table_args__ = (sa.Index("ix_transport_permit_vehicles_vehicle_id", "vehicle_id"),)

    permit_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_permits.id"), primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_vehicles.id"), primary_key=True)


class GpsPositionRecord(Base):
    """One position of a device at a time (once: the key makes a batch sent again add nothing). ``vehicle_id`` is
    the device's vehicle when it arrived (None: an unknown device, kept for the record)."""

    __tablename__ = "gps_positions"
    __table_args__ = (
        # BRIN on time: a day's partition is written in time order, so a block range index is tiny and enough
        # for retention and period scans; the vehicle's track (playback) uses the btree beside it.
        sa.Index("ix_gps_positions_recorded_at", "recorded_at", postgresql_using="brin"),
        sa.Index("ix_gps_positions_vehicle_id_recorded_at", "vehicle_id", "recorded_at"),
        {"postgresql_partition_by": "RANGE (recorded_at)"},
    )

    device_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(TS, primary_key=True)
    vehicle_id: Mapped[int | None] = mapped_column(sa.Integer)  # no foreign key: partitions stay cheap to drop
    lon: Mapped[float] = mapped_column(sa.Float)
    lat: Mapped[float] = mapped_column(sa.Float)
    speed_kmh: Mapped[float | None] = mapped_column(sa.Float)
    heading: Mapped[float | None] = mapped_column(sa.Float)
    received_at: Mapped[datetime] = mapped_column(TS)


class VehicleTrackStateRecord(Base):
    """A vehicle's running facts after its newest checked position (``facts_json``: city/transport/facts.py)."""

    __tablename__ = "vehicle_track_states"

    vehicle_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_vehicles.id"), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(TS)
    last_lon: Mapped[float] = mapped_column(sa.Float)
    last_lat: Mapped[float] = mapped_column(sa.Float)
    facts_json: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(TS)


class GpsAlertRecord(Base):
    """A geofence rule hit: the vehicle, the kind of violation (``rule_id``: the DMN rule that matched), the
    episode (``alert_key``: vehicle, kind and when the episode began — one alert however often it is seen), the
    track segment as evidence, its review (``state``) and the cases it opened: the ``transport_alert`` review case
    and, when the rules say so, a lifecycle case (channel gps)."""

    __tablename__ = "gps_alerts"
    __table_args__ = (
        sa.CheckConstraint("state IN ('open', 'confirmed', 'dismissed')", name="ck_gps_alerts_state"),
        sa.Index("ix_gps_alerts_company_id_started_at", "company_id", "started_at"),
        sa.Index("ix_gps_alerts_vehicle_id_started_at", "vehicle_id", "started_at"),
        sa.Index("ix_gps_alerts_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    vehicle_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_vehicles.id"))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("transport_companies.id"))
    permit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transport_permits.id"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    rule_id: Mapped[str] = mapped_column(sa.String(100))
    subtype_code: Mapped[str | None] = mapped_column(sa.String(20))
    severity: Mapped[str] = mapped_column(sa.String(10))
    started_at: Mapped[datetime] = mapped_column(TS)
    last_seen_at: Mapped[datetime] = mapped_column(TS)
    lon: Mapped[float] = mapped_column(sa.Float)
    lat: Mapped[float] = mapped_column(sa.Float)
    facts_json: Mapped[str] = mapped_column(sa.Text)
    track_json: Mapped[str] = mapped_column(sa.Text)  # GeoJSON LineString, each point's time in properties.times
    state: Mapped[str] = mapped_column(sa.String(10))
    review_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(TS)
