"""Issue 19: every step's time limit on its task: warning, due and escalation.

(Reserved in the migration chain; its owner fills in the tables.)

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
