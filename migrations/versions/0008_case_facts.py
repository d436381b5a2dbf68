"""Case facts: one flat row per case (live or imported history) for KPIs, rankings and heat maps, and the
per-month counts by unit grid, subtype, channel and department that heat maps and trends read.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_facts",
        sa.Column("case_no", sa.String(24), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_case_facts_case_id_cases")),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("reported_at", TS, nullable=False),
        sa.Column("channel", sa.String(30)),
        sa.Column("subtype", sa.String(10)),
        sa.Column("district", sa.String(20)),
        sa.Column("resp_grid", sa.String(30)),
        sa.Column("unit_grid", sa.String(40)),
        sa.Column("lon", sa.Float()),
        sa.Column("lat", sa.Float()),
        sa.Column("department", sa.String(30)),
        sa.Column("reporter", sa.String(100)),
        sa.Column("verifier", sa.String(100)),
        sa.Column("dispatcher", sa.String(100)),
        sa.Column("checker", sa.String(100)),
        sa.Column("verified_at", TS),
        sa.Column("filed_at", TS),
        sa.Column("dispatched_at", TS),
        sa.Column("disposed_at", TS),
        sa.Column("checked_at", TS),
        sa.Column("closed_at", TS),
        sa.Column("due_at", TS),
        sa.Column("result", sa.String(10), nullable=False),
        sa.Column("void_reason", sa.String(20)),
        sa.Column("close_type", sa.String(10)),
        sa.Column("closed_on_time", sa.Boolean()),
        sa.Column("reworks", sa.Integer(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("suspensions", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("wrong_dispatches", sa.Integer(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_case_facts_month_department", "case_facts", ["month", "department"])
    op.create_index("ix_case_facts_unit_grid_month", "case_facts", ["unit_grid", "month"])
    op.create_index("ix_case_facts_case_id", "case_facts", ["case_id"], unique=True)
    op.create_table(
        "case_fact_counts",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("unit_grid", sa.String(40), primary_key=True),
        sa.Column("subtype", sa.String(10), primary_key=True),
        sa.Column("channel", sa.String(30), primary_key=True),
        sa.Column("department", sa.String(30), primary_key=True),
        sa.Column("cases", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_fact_counts")
    op.drop_table("case_facts")
