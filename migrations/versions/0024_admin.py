"""What the admin pages keep (city/admin): ``admin_changes`` (every admin change, before and after) and
``disabled_entries`` (disabled departments, subtypes and users) — engine/persistence/admin_records.py.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "admin_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
    )
    op.create_index("ix_admin_changes_kind_key", "admin_changes", ["kind", "key", "id"])
    op.create_table(
        "disabled_entries",
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("disabled_at", TS, nullable=False),
        sa.Column("disabled_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_disabled_entries"),
    )


def downgrade() -> None:
    op.drop_table("disabled_entries")
    op.drop_index("ix_admin_changes_kind_key", table_name="admin_changes")
    op.drop_table("admin_changes")
