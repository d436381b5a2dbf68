"""Emergency command (应急指挥): declared emergencies, assembly calls and check-ins (city/emergency).

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
