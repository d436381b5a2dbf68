"""Cases linked to each other: duplicates at 立案 (city/duplicates).

``case_links`` holds both directions of a link (``duplicate_of`` / ``has_duplicate``), one row each, unique per
(case, linked case, kind). ``ix_case_facts_subtype_result_lat`` serves the duplicate candidates' query: the open
cases of one subtype in a band of latitude, before the exact distance.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("linked_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("case_id", "linked_case_id", "kind", name="uq_case_links_case_linked_kind"),
        sa.CheckConstraint("kind IN ('duplicate_of', 'has_duplicate')", name="ck_case_links_kind"),
        sa.CheckConstraint("case_id <> linked_case_id", name="ck_case_links_not_itself"),
    )
    op.create_index("ix_case_links_linked_case_id", "case_links", ["linked_case_id"])
    op.create_index("ix_case_facts_subtype_result_lat", "case_facts", ["subtype", "result", "lat"])


def downgrade() -> None:
    op.drop_index("ix_case_facts_subtype_result_lat", "case_facts")
    op.drop_index("ix_case_links_linked_case_id", "case_links")
    op.drop_table("case_links")
