"""The component (部件) registry and routing by owner (city/routing): ``components`` — each census component (its
id, class = subtype, location, owner unit, state, unit grid), looked up by class within a rounded lon/lat cell —
and ``component_loads``, who loaded which file when (engine/persistence/component_records.py).

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "components",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("subtype_code", sa.String(20), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("cell_x", sa.Integer(), nullable=False),
        sa.Column("cell_y", sa.Integer(), nullable=False),
        sa.Column("owner_code", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("unit_grid", sa.String(50), nullable=True),
        sa.Column("loaded_at", TS, nullable=False),
    )
    op.create_index("ix_components_subtype_cell", "components", ["subtype_code", "cell_x", "cell_y"])
    op.create_table(
        "component_loads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("loaded_at", TS, nullable=False),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("component_loads")
    op.drop_index("ix_components_subtype_cell", table_name="components")
    op.drop_table("components")
