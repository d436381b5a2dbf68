"""Case summaries (the read model of task lists and case pages), API tokens and attachments.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_summaries",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_case_summaries_case_id_cases"),
                  primary_key=True),
        sa.Column("case_no", sa.String(24), nullable=False),
        sa.Column("channel", sa.String(30)), sa.Column("subtype", sa.String(10)), sa.Column("description", sa.Text()),
        sa.Column("district", sa.String(20)), sa.Column("resp_grid", sa.String(30)), sa.Column("unit_grid", sa.String(40)),
        sa.Column("lon", sa.Float()), sa.Column("lat", sa.Float()), sa.Column("urgency", sa.String(20)),
        sa.Column("department", sa.String(30)), sa.Column("due_at", TS), sa.Column("warn_at", TS),
        sa.Column("counters", sa.Text()), sa.Column("evaluation", sa.Text()),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_case_summaries_case_no", "case_summaries", ["case_no"], unique=True)
    op.create_index("ix_case_summaries_department", "case_summaries", ["department"])
    op.create_index("ix_case_summaries_district", "case_summaries", ["district"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(100), sa.ForeignKey("users.username", name="fk_api_tokens_username_users"),
                  nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS),
        sa.Column("revoked_at", TS),
    )
    op.create_index("ix_api_tokens_token_hash", "api_tokens", ["token_hash"], unique=True)
    op.create_table(
        "attachments",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_attachments_case_id_cases"),
                  primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("attachments")
    op.drop_index("ix_api_tokens_token_hash", table_name="api_tokens")
    op.drop_table("api_tokens")
    for index in ("ix_case_summaries_district", "ix_case_summaries_department", "ix_case_summaries_case_no"):
        op.drop_index(index, table_name="case_summaries")
    op.drop_table("case_summaries")
