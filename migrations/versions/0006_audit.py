"""Audit: who acted (kind of actor) and which command began a step, on each event; and checkpoints that anchor every case's chain head.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Nullable: rows written before this revision were hashed without it and must still verify.
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("actor_kind", sa.String(20)))
        batch.add_column(sa.Column("command", sa.String(30)))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_checkpoint_heads",
        sa.Column("checkpoint_id", sa.Integer(),
                  sa.ForeignKey("audit_checkpoints.id", name="fk_audit_checkpoint_heads_checkpoint_id_audit_checkpoints"),
                  primary_key=True),
        sa.Column("case_id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_checkpoint_heads_case_id", "audit_checkpoint_heads", ["case_id", "checkpoint_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_checkpoint_heads_case_id", "audit_checkpoint_heads")
    op.drop_table("audit_checkpoint_heads")
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("command")
        batch.drop_column("actor_kind")
