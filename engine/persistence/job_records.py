"""Records of external-worker jobs and of incidents (engine/domain/jobs.py): the schema migrations 0017 and 0018
build."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TASK_ID, TS, Base


class JobRecord(Base):
    """A service task waiting for an external worker: written in the step that reached the task.

    ``state``: open (fetchable once ``lock_expires_at`` and ``retry_at`` have passed) | completed | incident |
    errored (a BPMN error was thrown) | cancelled (the task was interrupted). ``retries``: the attempts left,
    from the model at creation (None: a job opened before 0018), then as failures count down.
    """

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_state_topic", "state", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(TASK_ID, unique=True)
    bpmn_id: Mapped[str] = mapped_column(sa.Text)
    topic: Mapped[str] = mapped_column(sa.String(200))
    variables: Mapped[str] = mapped_column(sa.Text)  # canonical JSON: the task's data when it was reached
    state: Mapped[str] = mapped_column(sa.String(20))
    retries: Mapped[int | None] = mapped_column(sa.Integer)
    retry_at: Mapped[datetime | None] = mapped_column(TS)  # back-off: not fetchable before
    lock_owner: Mapped[str | None] = mapped_column(sa.String(100))
    lock_expires_at: Mapped[datetime | None] = mapped_column(TS)
    created_at: Mapped[datetime] = mapped_column(TS)
    locked_at: Mapped[datetime | None] = mapped_column(TS)
    completed_at: Mapped[datetime | None] = mapped_column(TS)  # completed, errored, cancelled or failed for good
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    retry_backoff_ms: Mapped[int | None] = mapped_column(sa.Integer)  # the model's wait after a failure
    connector_call: Mapped[str | None] = mapped_column(sa.Text)  # JSON: a gridcase connector's prepared call


class IncidentRecord(Base):
    """Something that needs an operator: a job out of retries, or a timer whose firing failed."""

    __tablename__ = "incidents"
    __table_args__ = (sa.Index("ix_incidents_resolved_at_created_at", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # job | timer
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    element: Mapped[str | None] = mapped_column(sa.Text)  # the BPMN id
    task_id: Mapped[str | None] = mapped_column(TASK_ID)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id"))
    timer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("timers.id"))
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    resolved_at: Mapped[datetime | None] = mapped_column(TS)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(100))
    resolution: Mapped[str | None] = mapped_column(sa.String(20))  # retried | resolved
    note: Mapped[str | None] = mapped_column(sa.Text)
