"""A job's back-off from its model, and the call of a job the engine's own connector runs.

``jobs.retry_backoff_ms``: the service task's ``retryBackoff`` (or Camunda's ``failedJobRetryTimeCycle``), the wait
after a failure whose report leaves the back-off out. ``jobs.connector_call``: the prepared call (JSON) of a job on a
reserved ``gridcase:…`` topic, run by the scheduler's connector loop (the http connector: method, URL, body, result
variable, timeout); NULL for a job an external worker does. Older rows keep NULL in both: their failures fall back to
the defaults.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("retry_backoff_ms", sa.Integer()))
    op.add_column("jobs", sa.Column("connector_call", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:  # SQLite before 3.35 cannot drop a column in place
        batch.drop_column("connector_call")
        batch.drop_column("retry_backoff_ms")
