"""Cases per channel, unit grid and month (``case_fact_channel_counts``): heat maps filtered by channel.

A heat map of one channel over all cases read the channel's entries of ``case_fact_counts``' (channel, unit_grid,
month, cases) index: that rollup holds about one row per case at the city's scale (five dimensions), so the
patrol channel — 42 % of the cases — was ~1.1 million entries for ~4,200 grids. This table holds one row per
(channel, unit grid, month), ~200,000 for the patrol channel of 2.8 million cases, in grid order for all of
time (its primary key) and by month for bounded periods (``ix_case_fact_channel_counts_month``). It is filled
here from ``case_fact_counts`` ('' where there is no channel or grid, as there) and kept by
``city.persistence.repositories.fact_rows.upsert_facts`` in the same transaction as the facts.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_fact_channel_counts",
        sa.Column("channel", sa.String(30), primary_key=True),
        sa.Column("unit_grid", sa.String(40), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("cases", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_case_fact_channel_counts_month", "case_fact_channel_counts",
                    ["month", "channel", "unit_grid", "cases"])
    op.execute("INSERT INTO case_fact_channel_counts (channel, unit_grid, month, cases)"
               " SELECT channel, unit_grid, month, SUM(cases) FROM case_fact_counts"
               " GROUP BY channel, unit_grid, month HAVING SUM(cases) <> 0")


def downgrade() -> None:
    op.drop_index("ix_case_fact_channel_counts_month", "case_fact_channel_counts")
    op.drop_table("case_fact_channel_counts")
