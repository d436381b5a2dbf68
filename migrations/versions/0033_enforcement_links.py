"""Law enforcement's case links (智慧执法, city/enforcement): a case transferred to enforcement ``has_enforcement``
case, and the enforcement case is the ``enforcement_of`` the case it was transferred from — both directions in
``case_links``, beside the duplicates' two kinds.

Revision ID: 0033
Revises: 0032
"""

from __future__ import annotations

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def _kinds(kinds: str) -> None:
    with op.batch_alter_table("case_links") as batch:
        batch.drop_constraint("ck_case_links_kind", type_="check")
        batch.create_check_constraint("ck_case_links_kind", f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds("'duplicate_of', 'has_duplicate', 'enforcement_of', 'has_enforcement'")


def downgrade() -> None:
    op.execute("DELETE FROM case_links WHERE kind IN ('enforcement_of', 'has_enforcement')")
    _kinds("'duplicate_of', 'has_duplicate'")
