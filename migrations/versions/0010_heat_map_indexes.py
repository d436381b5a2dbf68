"""Heat map indexes: cases per unit grid filtered by subtype, channel or department read the per-month counts
through covering indexes led by that column, and a source filter (live or imported history) reads the facts'
(source, unit_grid, month) index in grid order. Measured by ``gridcase bench queries`` (docs/history.md).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COUNT_INDEXES = ("subtype", "channel", "department")


def upgrade() -> None:
    for column in COUNT_INDEXES:
        op.create_index(f"ix_case_fact_counts_{column}_grid", "case_fact_counts",
                        [column, "unit_grid", "month", "cases"])
    op.create_index("ix_case_facts_source_grid_month", "case_facts", ["source", "unit_grid", "month"])


def downgrade() -> None:
    op.drop_index("ix_case_facts_source_grid_month", "case_facts")
    for column in COUNT_INDEXES:
        op.drop_index(f"ix_case_fact_counts_{column}_grid", "case_fact_counts")
