"""Case facts name the department that sent a case back (回退): the department level's 回退率 charges the
return to it (its returned and dispatched cases), not to the department that finally disposed of the case.
Null for cases never returned and for facts written before this revision.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_facts", sa.Column("returned_by", sa.String(30), nullable=True))


def downgrade() -> None:
    op.drop_column("case_facts", "returned_by")  # SQLite 3.35+ drops a column in place
