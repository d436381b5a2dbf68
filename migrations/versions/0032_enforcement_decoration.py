"""Smart law enforcement (智慧执法: enforcement_cases) and indoor decoration works (室内装修工程: decoration_works,
decoration_case_links); city/enforcement and city/decoration.

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
STAGES = "'filing', 'investigation', 'notice', 'decision', 'service', 'execution', 'closed', 'refused'"


def _enforcement() -> None:
    op.create_table(
        "enforcement_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("origin_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("number", sa.String(60), nullable=True),
        sa.Column("team", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("subtype_code", sa.String(20), nullable=True),
        sa.Column("district_code", sa.String(20), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("party_name", sa.String(200), nullable=True),
        sa.Column("party_kind", sa.String(20), nullable=True),
        sa.Column("party_id", sa.String(60), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("penalty_kind", sa.String(20), nullable=True),
        sa.Column("fine_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("result", sa.String(20), nullable=True),
        sa.Column("transferred_by", sa.String(100), nullable=False),
        sa.Column("transferred_at", TS, nullable=False),
        sa.Column("filed_at", TS, nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("served_at", TS, nullable=True),
        sa.Column("executed_at", TS, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("case_id", name="uq_enforcement_cases_case_id"),
        sa.UniqueConstraint("number", name="uq_enforcement_cases_number"),
        sa.CheckConstraint(f"stage IN ({STAGES})", name="ck_enforcement_cases_stage"),
    )
    op.create_index("ix_enforcement_cases_team_stage", "enforcement_cases", ["team", "stage"])
    op.create_index("ix_enforcement_cases_origin_case_id", "enforcement_cases", ["origin_case_id"])
    op.create_index("ix_enforcement_cases_transferred_at", "enforcement_cases", ["transferred_at"])


def _decoration() -> None:
    op.create_table(
        "decoration_works",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("compound_name", sa.String(200), nullable=True),
        sa.Column("district_code", sa.String(20), nullable=False),
        sa.Column("street_code", sa.String(20), nullable=True),
        sa.Column("grid_code", sa.String(20), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("owner_name", sa.String(100), nullable=False),
        sa.Column("owner_phone", sa.String(40), nullable=False),
        sa.Column("contractor", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("expected_waste_m3", sa.Float(), nullable=False),
        sa.Column("removal_permit_id", sa.Integer(), sa.ForeignKey("transport_permits.id"), nullable=True),
        sa.Column("removal_company_id", sa.Integer(), sa.ForeignKey("transport_companies.id"), nullable=True),
        sa.Column("removal_registered_at", TS, nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("code", name="uq_decoration_works_code"),
        sa.UniqueConstraint("case_id", name="uq_decoration_works_case_id"),
        sa.CheckConstraint("state IN ('registered', 'in_progress', 'finished', 'cancelled')",
                           name="ck_decoration_works_state"),
    )
    op.create_index("ix_decoration_works_state", "decoration_works", ["state"])
    op.create_index("ix_decoration_works_grid_code", "decoration_works", ["grid_code"])
    op.create_index("ix_decoration_works_district_code_state", "decoration_works", ["district_code", "state"])
    op.create_table(
        "decoration_case_links",
        sa.Column("works_id", sa.Integer(), sa.ForeignKey("decoration_works.id"), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("linked_at", TS, nullable=False),
    )
    op.create_index("ix_decoration_case_links_case_id", "decoration_case_links", ["case_id"])


def upgrade() -> None:
    _enforcement()
    _decoration()


def downgrade() -> None:
    for table in ("decoration_case_links", "decoration_works", "enforcement_cases"):
        op.drop_table(table)
