"""Facts by (month, day) with the heat map's columns: a period that starts or ends within a month reads its
edge months from ``case_facts`` by day, and a source filter (not in the per-month counts) reads the facts
of its months. Both become one index range with nothing to fetch from the table (with ``month = ?`` for
one month, so the day bounds narrow the range too). 2.8 million cases on SQLite, median ms: May 3-20
91 → 10, imported history in May 279 → 18, May 3 - July 20 223 → 48; ``gridcase bench queries``
heat_map_month p95 306 → 58, heat_map_period p95 463 → 262 (docs/history.md).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ["month", "day", "unit_grid", "source", "subtype", "channel", "department"]


def upgrade() -> None:
    op.create_index("ix_case_facts_month_day_grid", "case_facts", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_case_facts_month_day_grid", "case_facts")
