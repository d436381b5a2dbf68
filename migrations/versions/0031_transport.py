"""Construction-waste transport supervision (渣土运输监管): registries, GPS positions, track states and alerts
(city/transport). On PostgreSQL ``gps_positions`` is partitioned by range of ``recorded_at`` (one partition per
UTC day, made as positions arrive) with a BRIN index on time; SQLite has one table with a btree index.

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _registries() -> None:
    op.create_table(
        "transport_companies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(40), nullable=True),
        sa.Column("contact", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("code", name="uq_transport_companies_code"),
    )
    op.create_table(
        "transport_vehicles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plate", sa.String(20), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("transport_companies.id"), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("plate", name="uq_transport_vehicles_plate"),
        sa.UniqueConstraint("device_id", name="uq_transport_vehicles_device_id"),
    )
    op.create_index("ix_transport_vehicles_company_id", "transport_vehicles", ["company_id"])
    op.create_table(
        "transport_sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("transport_companies.id"), nullable=True),
        sa.Column("geometry_json", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("code", name="uq_transport_sites_code"),
        sa.CheckConstraint("kind IN ('source', 'disposal', 'depot')", name="ck_transport_sites_kind"),
    )
    op.create_table(
        "transport_permits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("transport_companies.id"), nullable=False),
        sa.Column("source_site_id", sa.Integer(), sa.ForeignKey("transport_sites.id"), nullable=False),
        sa.Column("disposal_site_id", sa.Integer(), sa.ForeignKey("transport_sites.id"), nullable=False),
        sa.Column("corridor_json", sa.Text(), nullable=False),
        sa.Column("corridor_width_m", sa.Float(), nullable=False),
        sa.Column("valid_from", TS, nullable=False),
        sa.Column("valid_to", TS, nullable=False),
        sa.Column("hours_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("code", name="uq_transport_permits_code"),
        sa.CheckConstraint("state IN ('active', 'revoked')", name="ck_transport_permits_state"),
    )
    op.create_index("ix_transport_permits_company_id", "transport_permits", ["company_id"])
    op.create_table(
        "transport_permit_vehicles",
        sa.Column("permit_id", sa.Integer(), sa.ForeignKey("transport_permits.id"), primary_key=True),
        sa.Column("vehicle_id", sa.Integer(), sa.ForeignKey("transport_vehicles.id"), primary_key=True),
    )
    op.create_index("ix_transport_permit_vehicles_vehicle_id", "transport_permit_vehicles", ["vehicle_id"])


def _positions() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "gps_positions",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("device_id", "recorded_at", name="pk_gps_positions"),
        **({"postgresql_partition_by": "RANGE (recorded_at)"} if postgres else {}),
    )
    op.create_index("ix_gps_positions_recorded_at", "gps_positions", ["recorded_at"],
                    **({"postgresql_using": "brin"} if postgres else {}))
    op.create_index("ix_gps_positions_vehicle_id_recorded_at", "gps_positions", ["vehicle_id", "recorded_at"])


def _states_and_alerts() -> None:
    op.create_table(
        "vehicle_track_states",
        sa.Column("vehicle_id", sa.Integer(), sa.ForeignKey("transport_vehicles.id"), primary_key=True),
        sa.Column("last_at", TS, nullable=False),
        sa.Column("last_lon", sa.Float(), nullable=False),
        sa.Column("last_lat", sa.Float(), nullable=False),
        sa.Column("facts_json", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "gps_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_key", sa.String(200), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), sa.ForeignKey("transport_vehicles.id"), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("transport_companies.id"), nullable=False),
        sa.Column("permit_id", sa.Integer(), sa.ForeignKey("transport_permits.id"), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("subtype_code", sa.String(20), nullable=True),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("facts_json", sa.Text(), nullable=False),
        sa.Column("track_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("review_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("alert_key", name="uq_gps_alerts_alert_key"),
        sa.CheckConstraint("state IN ('open', 'confirmed', 'dismissed')", name="ck_gps_alerts_state"),
    )
    op.create_index("ix_gps_alerts_company_id_started_at", "gps_alerts", ["company_id", "started_at"])
    op.create_index("ix_gps_alerts_vehicle_id_started_at", "gps_alerts", ["vehicle_id", "started_at"])
    op.create_index("ix_gps_alerts_state", "gps_alerts", ["state"])


def upgrade() -> None:
    _registries()
    _positions()
    _states_and_alerts()


def downgrade() -> None:
    for table in ("gps_alerts", "vehicle_track_states", "gps_positions", "transport_permit_vehicles",
                  "transport_permits", "transport_sites", "transport_vehicles", "transport_companies"):
        op.drop_table(table)  # a partitioned table takes its partitions and indexes with it
