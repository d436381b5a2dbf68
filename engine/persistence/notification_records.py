"""Records of notifications (docs/notifications.md): subscriptions, the notification outbox, its deliveries and
their log, and the in-app inbox — the schema migration 0020 builds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class NotificationSubscriptionRecord(Base):
    """Who receives which events over which channel: a person (account name) or a group (role or department)."""

    __tablename__ = "notification_subscriptions"
    __table_args__ = (sa.UniqueConstraint("subject_kind", "subject", "channel", "address",
                                         name="uq_notification_subscriptions_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(sa.String(10))  # person | group
    subject: Mapped[str] = mapped_column(sa.String(100))
    channel: Mapped[str] = mapped_column(sa.String(20))  # email | sms | wecom | dingtalk | webhook | in_app
    address: Mapped[str] = mapped_column(sa.Text)  # an Apprise URL, a plain email address, or '' for in_app
    events: Mapped[str] = mapped_column(sa.Text)  # JSON list of event kinds; [] = every kind
    locale: Mapped[str] = mapped_column(sa.String(5))  # zh | en
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)


class NotificationRecord(Base):
    """One event to tell someone about; ``dedupe_key`` makes the same event never write two."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    urgency: Mapped[str] = mapped_column(sa.String(10))  # normal | urgent
    recipient_kind: Mapped[str] = mapped_column(sa.String(10))  # person | group
    recipient: Mapped[str] = mapped_column(sa.String(100))
    data: Mapped[str] = mapped_column(sa.Text)  # JSON: what the templates read
    dedupe_key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(TS)


class NotificationDeliveryRecord(Base):
    """One notification to one address over one channel, and where its sending stands."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (sa.Index("ix_notification_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
                      sa.Index("ix_notification_deliveries_channel_claimed_at", "channel", "claimed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.Text)
    account: Mapped[str | None] = mapped_column(sa.String(100))  # the person, when known
    locale: Mapped[str] = mapped_column(sa.String(5), server_default="zh")
    # queued | deferred | sending | sent | failed | retrying | unknown
    status: Mapped[str] = mapped_column(sa.String(10))
    attempts: Mapped[int] = mapped_column(sa.Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(TS)
    claimed_at: Mapped[datetime | None] = mapped_column(TS)  # taken to send: the rate limits and the lease count it
    updated_at: Mapped[datetime] = mapped_column(TS)


class NotificationAttemptRecord(Base):
    """The delivery log: one row per change of a delivery's status (queued, sent, retrying, failed …)."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("notification_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(sa.String(10))
    error: Mapped[str | None] = mapped_column(sa.Text)


class InboxItemRecord(Base):
    """The in-app channel: what the bell shows one account."""

    __tablename__ = "inbox_items"
    __table_args__ = (sa.Index("ix_inbox_items_account_read_at_id", "account", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(sa.String(100))
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    read_at: Mapped[datetime | None] = mapped_column(TS)
