"""Emergency command (应急指挥): declared emergencies, assembly calls and check-ins (city/emergency).

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "emergencies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("area_json", sa.Text(), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("commander", sa.String(100), nullable=False),
        sa.Column("ack_within_minutes", sa.Integer(), nullable=False),
        sa.Column("assembly_point_json", sa.Text(), nullable=False),
        sa.Column("signal_kinds_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("declared_by", sa.String(100), nullable=False),
        sa.Column("declared_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.UniqueConstraint("case_id", name="uq_emergencies_case_id"),
    )
    op.create_index("ix_emergencies_state_starts_at", "emergencies", ["state", "starts_at"])
    op.create_table(
        "assembly_calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("emergency_id", sa.Integer(), sa.ForeignKey("emergencies.id"), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("district_code", sa.String(20), nullable=True),
        sa.Column("department_code", sa.String(20), nullable=True),
        sa.Column("leader", sa.String(100), nullable=True),
        sa.Column("notified_at", TS, nullable=True),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("escalated_at", TS, nullable=True),
        sa.Column("checked_in_at", TS, nullable=True),
        sa.Column("check_in_lon", sa.Float(), nullable=True),
        sa.Column("check_in_lat", sa.Float(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.UniqueConstraint("emergency_id", "username", name="uq_assembly_calls_emergency_id_username"),
    )
    op.create_index("ix_assembly_calls_emergency_id_team_state", "assembly_calls", ["emergency_id", "team", "state"])


def downgrade() -> None:
    op.drop_index("ix_assembly_calls_emergency_id_team_state", table_name="assembly_calls")
    op.drop_table("assembly_calls")
    op.drop_index("ix_emergencies_state_starts_at", table_name="emergencies")
    op.drop_table("emergencies")
