"""The request id in the audit log, and evidence looked up by its hash.

``case_events.request_id``: the id of the HTTP request (``X-Request-ID``), timer firing or CLI run whose command
wrote the event — the same id the JSON logs carry, so an auditor can go from an event to the request's log lines
and back. Older rows have none and keep their hashes: the chain covers the column only when it is set.
``ix_attachments_sha256``: a report names its evidence by sha256 alone (the primary key leads with the case).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_events", sa.Column("request_id", sa.String(128)))
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", table_name="attachments")
    with op.batch_alter_table("case_events") as batch:  # SQLite before 3.35 cannot drop a column in place
        batch.drop_column("request_id")
