"""The notification outbox, deliveries and their log, subscriptions and the in-app inbox.

``notification_subscriptions``: who (a person or a group) gets which events over which channel.
``notifications``: one event to tell someone about (``dedupe_key`` unique: the same event never writes two).
``notification_deliveries``: one notification to one address, and where its sending stands; the sender scans
(status, next_attempt_at). ``notification_attempts``: the delivery log. ``inbox_items``: the in-app channel.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notification_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notification_subscriptions"),
        sa.UniqueConstraint("subject_kind", "subject", "channel", "address",
                            name="uq_notification_subscriptions_subject"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_notifications_case_id_cases")),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("recipient_kind", sa.String(10), nullable=False),
        sa.Column("recipient", sa.String(100), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
    )
    op.create_index("ix_notifications_case_id", "notifications", ["case_id"])
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(),
                  sa.ForeignKey("notifications.id", name="fk_notification_deliveries_notification_id_notifications"),
                  nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("account", sa.String(100)),
        sa.Column("locale", sa.String(5), server_default="zh", nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS),
        sa.Column("last_error", sa.Text()),
        sa.Column("sent_at", TS),
        sa.Column("claimed_at", TS),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notification_deliveries"),
    )
    op.create_index("ix_notification_deliveries_notification_id", "notification_deliveries", ["notification_id"])
    op.create_index("ix_notification_deliveries_status_next_attempt_at", "notification_deliveries",
                    ["status", "next_attempt_at"])
    op.create_index("ix_notification_deliveries_channel_claimed_at", "notification_deliveries",
                    ["channel", "claimed_at"])
    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(),
                  sa.ForeignKey("notification_deliveries.id",
                                name="fk_notification_attempts_delivery_id_notification_deliveries"),
                  nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_notification_attempts"),
    )
    op.create_index("ix_notification_attempts_delivery_id", "notification_attempts", ["delivery_id"])
    op.create_table(
        "inbox_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("notification_id", sa.Integer(),
                  sa.ForeignKey("notifications.id", name="fk_inbox_items_notification_id_notifications"),
                  nullable=False),
        sa.Column("case_id", sa.Integer()),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.Text()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_items"),
    )
    op.create_index("ix_inbox_items_notification_id", "inbox_items", ["notification_id"])
    op.create_index("ix_inbox_items_account_read_at_id", "inbox_items", ["account", "read_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_items_account_read_at_id", table_name="inbox_items")
    op.drop_index("ix_inbox_items_notification_id", table_name="inbox_items")
    op.drop_table("inbox_items")
    op.drop_index("ix_notification_attempts_delivery_id", table_name="notification_attempts")
    op.drop_table("notification_attempts")
    op.drop_index("ix_notification_deliveries_channel_claimed_at", table_name="notification_deliveries")
    op.drop_index("ix_notification_deliveries_status_next_attempt_at", table_name="notification_deliveries")
    op.drop_index("ix_notification_deliveries_notification_id", table_name="notification_deliveries")
    op.drop_table("notification_deliveries")
    op.drop_index("ix_notifications_case_id", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_subscriptions")
