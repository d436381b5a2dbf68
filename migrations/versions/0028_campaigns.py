"""Census campaigns (专项普查): campaigns, their grids' sweeps, checklist items and findings (city/campaigns).

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
