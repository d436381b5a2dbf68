"""Process drafts: the designer's unsaved BPMN and DMN files, one per owner and file name.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "process_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.String(100), sa.ForeignKey("users.username", name="fk_process_drafts_owner_users"),
                  nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("process_id", sa.String(200)),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("base_version_id", sa.Integer(),
                  sa.ForeignKey("process_versions.id", name="fk_process_drafts_base_version_id_process_versions")),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("owner", "file_name", name="uq_process_drafts_owner_file_name"),
    )


def downgrade() -> None:
    op.drop_table("process_drafts")
