"""Every step's time limit on its task: warning, due and escalation.

``human_tasks`` gains the step key a task declares (``stepLimit``), its warning time and the group an overdue
task escalates to (both from the process's step-limit decision), and when the sweep recorded the warning and the
overdue (``task_warned``/``task_overdue``). Two partial indexes over ready tasks with a step serve the sweep:
those past their warning time, those past their due time.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
CLOCKED = sa.text("state = 'ready' AND step IS NOT NULL")


def upgrade() -> None:
    op.add_column("human_tasks", sa.Column("step", sa.String(40), nullable=True))
    op.add_column("human_tasks", sa.Column("warn_at", TS, nullable=True))
    op.add_column("human_tasks", sa.Column("escalate_to", sa.Text(), nullable=True))
    op.add_column("human_tasks", sa.Column("warned_at", TS, nullable=True))
    op.add_column("human_tasks", sa.Column("overdue_at", TS, nullable=True))
    op.create_index("ix_human_tasks_clock_warn", "human_tasks", ["warn_at"], sqlite_where=CLOCKED,
                    postgresql_where=CLOCKED)
    op.create_index("ix_human_tasks_clock_due", "human_tasks", ["due_at"], sqlite_where=CLOCKED,
                    postgresql_where=CLOCKED)


def downgrade() -> None:
    op.drop_index("ix_human_tasks_clock_due", "human_tasks")
    op.drop_index("ix_human_tasks_clock_warn", "human_tasks")
    for column in ("overdue_at", "warned_at", "escalate_to", "warn_at", "step"):
        op.drop_column("human_tasks", column)  # SQLite 3.35+ drops a column in place
