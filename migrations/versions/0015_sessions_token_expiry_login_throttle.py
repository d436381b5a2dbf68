"""Sign-in hardening: a session epoch per user (signing out and a new password end every session), an expiry
per API token (tokens issued before this revision expire 90 days after it), and the login throttle's table
(failed sign-ins per account and per client address, shared by every web process).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
OLD_TOKENS_DAYS = 90  # GRIDCASE_TOKEN_DAYS' default: old tokens get what a new one gets


def upgrade() -> None:
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("api_tokens", sa.Column("expires_at", TS))
    expires = datetime.now(UTC) + timedelta(days=OLD_TOKENS_DAYS)
    if op.get_bind().dialect.name == "sqlite":  # stored as the app stores it: naive UTC text
        stamp: object = expires.replace(tzinfo=None).isoformat(" ", "microseconds")
    else:
        stamp = expires
    op.get_bind().execute(sa.text("UPDATE api_tokens SET expires_at = :at WHERE expires_at IS NULL"), {"at": stamp})
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(10), primary_key=True),
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("last_failure_at", TS, nullable=False),
        sa.Column("blocked_until", TS),
    )
    op.create_index("ix_login_throttle_last_failure_at", "login_throttle", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_last_failure_at", "login_throttle")
    op.drop_table("login_throttle")
    op.drop_column("api_tokens", "expires_at")
    op.drop_column("users", "session_epoch")
