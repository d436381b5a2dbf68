"""External-worker jobs and incidents.

``jobs``: a service task with a topic waiting for an external worker (fetch-and-lock, complete, failure with
retries and back-off, BPMN error). ``incidents``: a job out of retries or a timer whose firing failed, until an
operator retries or resolves it. Timers that had already failed become open incidents.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_jobs_case_id_cases"), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("bpmn_id", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("variables", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("retries", sa.Integer()),
        sa.Column("retry_at", TS),
        sa.Column("lock_owner", sa.String(100)),
        sa.Column("lock_expires_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("locked_at", TS),
        sa.Column("completed_at", TS),
        sa.Column("error_message", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("task_id", name="uq_jobs_task_id"),
    )
    op.create_index("ix_jobs_case_id", "jobs", ["case_id"])
    op.create_index("ix_jobs_state_topic", "jobs", ["state", "topic"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", name="fk_incidents_case_id_cases"),
                  nullable=False),
        sa.Column("element", sa.Text()),
        sa.Column("task_id", sa.String(36)),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("jobs.id", name="fk_incidents_job_id_jobs")),
        sa.Column("timer_id", sa.Integer(), sa.ForeignKey("timers.id", name="fk_incidents_timer_id_timers")),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("resolved_at", TS),
        sa.Column("resolved_by", sa.String(100)),
        sa.Column("resolution", sa.String(20)),
        sa.Column("note", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_case_id", "incidents", ["case_id"])
    op.create_index("ix_incidents_resolved_at_created_at", "incidents", ["resolved_at", "created_at"])
    op.execute("INSERT INTO incidents (kind, case_id, element, task_id, timer_id, message, created_at)"
               " SELECT 'timer', case_id, bpmn_id, task_id, id, COALESCE(error, 'the timer failed'),"
               " COALESCE(fired_at, due_at) FROM timers WHERE status = 'failed'")


def downgrade() -> None:
    op.drop_index("ix_incidents_resolved_at_created_at", table_name="incidents")
    op.drop_index("ix_incidents_case_id", table_name="incidents")
    op.drop_table("incidents")
    op.drop_index("ix_jobs_state_topic", table_name="jobs")
    op.drop_index("ix_jobs_case_id", table_name="jobs")
    op.drop_table("jobs")
