"""Citizens and other systems (docs/citizens.md, docs/open311.md, docs/connectors.md), migration 0035.

- ``api_keys``: the keys of Open311 apps (GeoReport v2 ``api_key``), kept by admins; only the sha256 is stored.
- ``rate_counts``: fixed-window counters shared by every process on the database (Open311 keys and addresses,
  citizens' phone numbers and addresses).
- ``phone_confirmations``: a code sent to a citizen's phone; once confirmed, a short-lived ticket the report cites.
- ``citizen_reports``: a public report (citizen page or Open311) with its unguessable tracking token, the contact
  the citizen gave and how they want to be told; ``case_id`` is the case it follows now (a reopened case moves it).
- ``citizen_ratings``: the citizen's rating of a closed case (满意/基本满意/不满意) and the 回访 case it opened.
- ``connector_configs``: the other systems (the 12345 hotline and the like, the upper-level platform) and their
  mapping of fields and codes, as loaded from a configuration file.
- ``connector_cases``: a work order another system transferred, and the case it became.
- ``connector_deliveries`` / ``connector_attempts``: what gridcase pushes back to a sender (signed, retried) and the
  log of every attempt.
- ``public_stages``: the stage last told of a case someone outside follows (a citizen, a sender system).
- ``exchange_batches``: each file exchanged with the upper-level platform, what it held and its acknowledgement.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base

RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")  # 满意 / 基本满意 / 不满意
UPDATE_CHANNELS = ("sms", "email", "none")
ORIGINS = ("citizen", "open311")
CONNECTOR_KINDS = ("hotline", "upper_level")
DELIVERY_STATUSES = ("queued", "sending", "sent", "retrying", "failed")
EXCHANGE_DIRECTIONS = ("export", "import")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ApiKeyRecord(Base):
    """An Open311 app's key: its name, who to ask about it, its rate limit; the key itself only as sha256."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    contact: Mapped[str] = mapped_column(sa.String(200))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(sa.String(12))  # shown in lists, to tell keys apart
    per_minute: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(TS)
    created_by: Mapped[str] = mapped_column(sa.String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(TS)
    revoked_by: Mapped[str | None] = mapped_column(sa.String(100))
    last_used_at: Mapped[datetime | None] = mapped_column(TS)


class RateCountRecord(Base):
    """Hits of one key (an api key, a phone number, an address) in one fixed window of one scope."""

    __tablename__ = "rate_counts"

    scope: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(TS, primary_key=True)
    hits: Mapped[int] = mapped_column(sa.Integer)


class PhoneConfirmationRecord(Base):
    """A code sent to a phone (only its hash kept); confirmed, it gives a ticket (hash kept) reports cite."""

    __tablename__ = "phone_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(64))  # the client address that asked
    created_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime] = mapped_column(TS)
    attempts: Mapped[int] = mapped_column(sa.Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(TS)
    ticket_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(TS)


class CitizenReportRecord(Base):
    """A report from the public, its tracking token and its contact; ``case_id`` follows a reopened case."""

    __tablename__ = "citizen_reports"
    __table_args__ = (sa.CheckConstraint(_in("origin", ORIGINS), name="ck_citizen_reports_origin"),
                      sa.CheckConstraint(_in("updates", UPDATE_CHANNELS), name="ck_citizen_reports_updates"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    first_case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    origin: Mapped[str] = mapped_column(sa.String(10))
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    name: Mapped[str | None] = mapped_column(sa.String(100))
    updates: Mapped[str] = mapped_column(sa.String(10))
    locale: Mapped[str] = mapped_column(sa.String(5))
    extra_json: Mapped[str] = mapped_column(sa.Text)  # Open311's address_string, media_url, device and account ids
    created_at: Mapped[datetime] = mapped_column(TS)


class CitizenRatingRecord(Base):
    """The citizen's rating of one closed case; 不满意 opened ``callback_case_id`` (回访)."""

    __tablename__ = "citizen_ratings"
    __table_args__ = (sa.UniqueConstraint("report_id", "case_id", name="uq_citizen_ratings_report_case"),
                      sa.CheckConstraint(_in("rating", RATINGS), name="ck_citizen_ratings_rating"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("citizen_reports.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    rating: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text)
    rated_at: Mapped[datetime] = mapped_column(TS)
    callback_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    callback_outcome: Mapped[str | None] = mapped_column(sa.String(20))  # explained | reopened
    reopened_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)


class ConnectorConfigRecord(Base):
    """Another system: its kind, and its configuration (endpoints, secret's variable, field and code maps)."""

    __tablename__ = "connector_configs"
    __table_args__ = (sa.CheckConstraint(_in("kind", CONNECTOR_KINDS), name="ck_connector_configs_kind"),)

    code: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(100))
    config_json: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    version: Mapped[int] = mapped_column(sa.Integer)
    loaded_at: Mapped[datetime] = mapped_column(TS)
    loaded_by: Mapped[str] = mapped_column(sa.String(100))


class ConnectorCaseRecord(Base):
    """A work order another system transferred (its id, as received) and the case it became."""

    __tablename__ = "connector_cases"
    __table_args__ = (sa.UniqueConstraint("connector", "order_id", name="uq_connector_cases_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector: Mapped[str] = mapped_column(sa.ForeignKey("connector_configs.code"))
    order_id: Mapped[str] = mapped_column(sa.String(100))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    deadline: Mapped[datetime | None] = mapped_column(TS)  # the sender's deadline
    received_json: Mapped[str] = mapped_column(sa.Text)  # the order as it arrived
    received_at: Mapped[datetime] = mapped_column(TS)


class ConnectorDeliveryRecord(Base):
    """One push to a sender (a case's stage change or result): the exact signed body, its state and retries."""

    __tablename__ = "connector_deliveries"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq", name="uq_connector_deliveries_case_seq"),
                      sa.CheckConstraint(_in("status", DELIVERY_STATUSES), name="ck_connector_deliveries_status"),
                      sa.Index("ix_connector_deliveries_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connector: Mapped[str] = mapped_column(sa.ForeignKey("connector_configs.code"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(sa.Integer)  # per case: pushes go out in this order
    event: Mapped[str] = mapped_column(sa.String(30))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10))
    attempts: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(TS)
    next_attempt_at: Mapped[datetime] = mapped_column(TS)
    claimed_at: Mapped[datetime | None] = mapped_column(TS)
    delivered_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class ConnectorAttemptRecord(Base):
    """The delivery log: one row per attempt (its HTTP status or error) and per change made by hand."""

    __tablename__ = "connector_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("connector_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(sa.String(10))
    http_status: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.Text)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    actor: Mapped[str] = mapped_column(sa.String(100))


class ExchangeBatchRecord(Base):
    """One file exchanged with the upper-level platform: exported (cases changed in ``since``–``until``) or
    imported (cases it assigned); its digest, its records and the acknowledgement received for it."""

    __tablename__ = "exchange_batches"
    __table_args__ = (sa.UniqueConstraint("connector", "direction", "seq", name="uq_exchange_batches_seq"),
                      sa.CheckConstraint(_in("direction", EXCHANGE_DIRECTIONS), name="ck_exchange_batches_direction"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connector: Mapped[str] = mapped_column(sa.ForeignKey("connector_configs.code"))
    direction: Mapped[str] = mapped_column(sa.String(10))
    seq: Mapped[int] = mapped_column(sa.Integer)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    records: Mapped[int] = mapped_column(sa.Integer)
    since: Mapped[datetime | None] = mapped_column(TS)
    until: Mapped[datetime | None] = mapped_column(TS)
    created_at: Mapped[datetime] = mapped_column(TS)
    created_by: Mapped[str] = mapped_column(sa.String(100))
    acknowledged_at: Mapped[datetime | None] = mapped_column(TS)
    ack_status: Mapped[str | None] = mapped_column(sa.String(20))  # accepted | rejected | partial
    ack_detail_json: Mapped[str | None] = mapped_column(sa.Text)  # per-record results, errors


class PublicStageRecord(Base):
    """The public stage (received, filed, dispatched, disposed, closed, voided) last told of a followed case."""

    __tablename__ = "public_stages"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(sa.String(20))
    changed_at: Mapped[datetime] = mapped_column(TS)
