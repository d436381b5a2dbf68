"""Issue 19: duty windows per city, with versions.

(Reserved in the migration chain; its owner fills in the tables.)

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
