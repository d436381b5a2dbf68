"""Citizens and other systems: Open311 api keys, rate counters, phone confirmations, citizen reports and ratings,
connector configurations, transferred work orders, pushes and their log, exchange batches, the public
stages told
(engine/persistence/public_records.py).

Revision ID: 0035
Revises: 0034
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _keys_and_counts() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("key_prefix", sa.String(12), nullable=False),
        sa.Column("per_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("last_used_at", TS, nullable=True),
        sa.UniqueConstraint("name", name="uq_api_keys_name"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_table(
        "rate_counts",
        sa.Column("scope", sa.String(30), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window_start", name="pk_rate_counts"),
    )
    op.create_table(
        "phone_confirmations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", TS, nullable=True),
        sa.Column("ticket_hash", sa.String(64), nullable=True),
        sa.Column("ticket_expires_at", TS, nullable=True),
        sa.UniqueConstraint("ticket_hash", name="uq_phone_confirmations_ticket_hash"),
    )
    op.create_index("ix_phone_confirmations_phone", "phone_confirmations", ["phone"])


def _citizens() -> None:
    op.create_table(
        "citizen_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("first_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("api_key_id", sa.Integer(), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("updates", sa.String(10), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("extra_json", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("token", name="uq_citizen_reports_token"),
        sa.UniqueConstraint("first_case_id", name="uq_citizen_reports_first_case_id"),
        sa.CheckConstraint(_in("origin", ("citizen", "open311")), name="ck_citizen_reports_origin"),
        sa.CheckConstraint(_in("updates", ("sms", "email", "none")), name="ck_citizen_reports_updates"),
    )
    op.create_index("ix_citizen_reports_case_id", "citizen_reports", ["case_id"])
    op.create_table(
        "citizen_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("citizen_reports.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("rating", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_at", TS, nullable=False),
        sa.Column("callback_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("callback_outcome", sa.String(20), nullable=True),
        sa.Column("reopened_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.UniqueConstraint("report_id", "case_id", name="uq_citizen_ratings_report_case"),
        sa.CheckConstraint(_in("rating", ("satisfied", "basically_satisfied", "dissatisfied")),
                           name="ck_citizen_ratings_rating"),
    )
    # Open311 follows a request to the cases reopened from it
    op.create_index("ix_citizen_ratings_reopened_case_id", "citizen_ratings", ["reopened_case_id"])


def _connectors() -> None:
    op.create_table(
        "connector_configs",
        sa.Column("code", sa.String(30), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("config_json", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.CheckConstraint(_in("kind", ("hotline", "upper_level")), name="ck_connector_configs_kind"),
    )
    op.create_table(
        "connector_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connector", sa.String(30), sa.ForeignKey("connector_configs.code"), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("deadline", TS, nullable=True),
        sa.Column("received_json", sa.Text(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.UniqueConstraint("connector", "order_id", name="uq_connector_cases_order"),
        sa.UniqueConstraint("case_id", name="uq_connector_cases_case_id"),
    )


def _deliveries() -> None:
    op.create_table(
        "connector_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connector", sa.String(30), sa.ForeignKey("connector_configs.code"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("claimed_at", TS, nullable=True),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("case_id", "seq", name="uq_connector_deliveries_case_seq"),
        sa.CheckConstraint(_in("status", ("queued", "sending", "sent", "retrying", "failed")),
                           name="ck_connector_deliveries_status"),
    )
    op.create_index("ix_connector_deliveries_due", "connector_deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "connector_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("connector_deliveries.id"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_connector_attempts_delivery_id", "connector_attempts", ["delivery_id"])


def _exchange() -> None:
    op.create_table(
        "exchange_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connector", sa.String(30), sa.ForeignKey("connector_configs.code"), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("since", TS, nullable=True),
        sa.Column("until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("ack_status", sa.String(20), nullable=True),
        sa.Column("ack_detail_json", sa.Text(), nullable=True),
        sa.UniqueConstraint("connector", "direction", "seq", name="uq_exchange_batches_seq"),
        sa.CheckConstraint(_in("direction", ("export", "import")), name="ck_exchange_batches_direction"),
    )


def upgrade() -> None:
    op.create_table(
        "public_stages",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_public_stages"),
    )
    _keys_and_counts()
    _citizens()
    _connectors()
    _deliveries()
    _exchange()


def downgrade() -> None:
    for table in ("exchange_batches", "connector_attempts", "connector_deliveries", "connector_cases",
                  "connector_configs", "citizen_ratings", "citizen_reports", "phone_confirmations", "rate_counts",
                  "api_keys", "public_stages"):
        op.drop_table(table)
