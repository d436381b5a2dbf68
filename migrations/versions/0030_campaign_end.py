"""A campaign ended early (EndCampaign, 结束普查): who ended it, when and why, beside its state; a grid whose sweep
was closed by the early end is ``ended`` (neither swept nor still open).

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("ended_at", TS, nullable=True))
        batch.add_column(sa.Column("ended_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("end_reason", sa.Text(), nullable=True))
    _grid_states("'open', 'done', 'ended'")


def _grid_states(states: str) -> None:
    with op.batch_alter_table("campaign_grids") as batch:
        batch.drop_constraint("ck_campaign_grids_state", type_="check")
        batch.create_check_constraint("ck_campaign_grids_state", f"state IN ({states})")


def downgrade() -> None:
    op.execute("UPDATE campaign_grids SET state = 'done' WHERE state = 'ended'")
    _grid_states("'open', 'done'")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("end_reason")
        batch.drop_column("ended_by")
        batch.drop_column("ended_at")
