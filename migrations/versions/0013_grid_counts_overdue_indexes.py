"""Cases per unit grid, month and source (``case_fact_grid_counts``), and the running cases past their deadline
through two small partial indexes.

A heat map without a subtype, channel or department filter — the first one every page shows, over all cases —
read every fact's (unit_grid, month) entry, 2.8 million of them at the city's scale, and a ``source`` filter
(live or imported history) read the facts of its whole period: ``case_fact_counts`` has no source and holds
about one row per case. This table holds one row per (unit grid, month, source): ~200,000 rows for 2.8 million
cases. It is filled here from the facts and kept by ``city.persistence.repositories.fact_rows.upsert_facts`` in the same
transaction as the facts.

超期未处置数 (a snapshot at the cut-off over all running cases) scanned every fact. A case overdue at the cut-off
has a deadline before it and was not reported back before it: it was either never reported back, or reported
back after its deadline. ``ix_case_facts_late`` holds the cases reported back late, by the moment they were
(the range after the cut-off), ``ix_case_facts_undisposed`` those never reported back, by deadline; both hold
every column the count reads, and neither holds a voided case.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OVERDUE_COLUMNS = ["due_at", "dispatched_at", "reported_at", "closed_at", "department", "district", "resp_grid",
                   "result"]
LATE = "result <> 'voided' AND disposed_at > due_at"
UNDISPOSED = "result <> 'voided' AND disposed_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "case_fact_grid_counts",
        sa.Column("unit_grid", sa.String(40), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("source", sa.String(10), primary_key=True),
        sa.Column("cases", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_case_fact_grid_counts_month", "case_fact_grid_counts",
                    ["month", "unit_grid", "source", "cases"])
    op.execute("INSERT INTO case_fact_grid_counts (unit_grid, month, source, cases)"
               " SELECT grid, month, source, SUM(cases) FROM (SELECT COALESCE(unit_grid, '') AS grid, month, source,"
               " COUNT(*) AS cases FROM case_facts GROUP BY source, unit_grid, month) AS per_grid"
               " GROUP BY grid, month, source")
    op.create_index("ix_case_facts_late", "case_facts", ["disposed_at", *OVERDUE_COLUMNS],
                    sqlite_where=sa.text(LATE), postgresql_where=sa.text(LATE))
    op.create_index("ix_case_facts_undisposed", "case_facts", [*OVERDUE_COLUMNS, "disposed_at"],
                    sqlite_where=sa.text(UNDISPOSED), postgresql_where=sa.text(UNDISPOSED))


def downgrade() -> None:
    op.drop_index("ix_case_facts_undisposed", "case_facts")
    op.drop_index("ix_case_facts_late", "case_facts")
    op.drop_index("ix_case_fact_grid_counts_month", "case_fact_grid_counts")
    op.drop_table("case_fact_grid_counts")
