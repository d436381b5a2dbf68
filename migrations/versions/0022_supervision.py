"""Issue 19: supervisor controls (reassign, force-release, ad-hoc supervision).

(Reserved in the migration chain; its owner fills in the tables.)

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
