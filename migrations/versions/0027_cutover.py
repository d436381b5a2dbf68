"""Open cases imported from a legacy system (city/cutover): ``imported_cases``
(engine/persistence/cutover_records.py), the legacy number, step and earlier steps' times of each live case
imported open.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "imported_cases",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("legacy_no", sa.String(24), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("history_json", sa.Text(), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("legacy_no", name="uq_imported_cases_legacy_no"),
    )


def downgrade() -> None:
    op.drop_table("imported_cases")
