"""An index for 我发起的 (the cases an account started, newest first): ``cases (started_by, id)``.

Without it the list scans every case of the live table.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_started_by", "cases", ["started_by", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_started_by", table_name="cases")
