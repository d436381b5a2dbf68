"""Duty windows per city, with versions — ``duty_calendar_versions`` (engine/persistence/calendar_records.py):
each loaded version of the duty calendar (seasons, windows, 24-hour subtypes) with the date it takes effect.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "duty_calendar_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
    )
    op.create_index("ix_duty_calendar_versions_effective", "duty_calendar_versions", ["effective_from", "id"])


def downgrade() -> None:
    op.drop_index("ix_duty_calendar_versions_effective", table_name="duty_calendar_versions")
    op.drop_table("duty_calendar_versions")
