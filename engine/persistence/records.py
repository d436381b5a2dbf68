"""SQLAlchemy records: one class per table. Migrations in migrations/ create exactly these."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TS = sa.DateTime(timezone=True)
TASK_ID = sa.String(36)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class ProcessVersionRecord(Base):
    """One deployed, immutable version of a process: sources, hash and the serialized spec."""

    __tablename__ = "process_versions"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "number"),
        sa.Index("ix_process_versions_process_id_sha256", "process_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    sources: Mapped[str] = mapped_column(sa.Text)  # JSON {file name: text}
    spec_json: Mapped[str] = mapped_column(sa.Text)
    message_starts: Mapped[str] = mapped_column(sa.Text, default="[]")  # JSON list of message names
    deployed_at: Mapped[datetime] = mapped_column(TS)
    deployed_by: Mapped[str] = mapped_column(sa.String(100))
    comment: Mapped[str] = mapped_column(sa.Text, default="")


class CaseRecord(Base):
    """A running or finished case, pinned to the process version it started on."""

    __tablename__ = "cases"
    # ix_cases_started_by: 我发起的 (the cases an account started), newest first
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),
                      sa.Index("ix_cases_started_by", "started_by", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(200))
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_versions.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    version: Mapped[int]
    channel: Mapped[str | None] = mapped_column(sa.String(50))
    external_id: Mapped[str | None] = mapped_column(sa.String(200))
    started_by: Mapped[str] = mapped_column(sa.String(100))
    started_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)
    completed_at: Mapped[datetime | None] = mapped_column(TS)
    workflow_json: Mapped[str] = mapped_column(sa.Text)  # workflow-level state, without tasks or spec
    last_event_seq: Mapped[int]
    last_event_hash: Mapped[str] = mapped_column(sa.String(64))


class WorkflowTaskRecord(Base):
    """One SpiffWorkflow task of a case; only changed tasks are written after a step."""

    __tablename__ = "workflow_tasks"
    __table_args__ = ({"sqlite_with_rowid": False},)  # one B-tree: fewer pages written per step

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(TASK_ID, primary_key=True)
    workflow_key: Mapped[str] = mapped_column(TASK_ID)  # "" for the top workflow, else the subprocess task
    spec_name: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[int]
    parent_id: Mapped[str | None] = mapped_column(TASK_ID)
    children: Mapped[str] = mapped_column(sa.Text)  # JSON list of task ids
    triggered: Mapped[bool]
    last_state_change: Mapped[float] = mapped_column(sa.Float)
    internal_data: Mapped[str] = mapped_column(sa.Text)
    data_hash: Mapped[str] = mapped_column(sa.String(64))


class TaskDataRecord(Base):
    """Task data stored once per case and distinct content (sha256 of its canonical JSON).

    Keyed by case first, so a step's new blobs land next to the case's others (fewer pages written).
    """

    __tablename__ = "task_data"
    __table_args__ = ({"sqlite_with_rowid": False},)

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    data: Mapped[str] = mapped_column(sa.Text)


READY_ONLY = sa.text("state = 'ready'")
CLOCKED = sa.text("state = 'ready' AND step IS NOT NULL")
CLAIMED_ONLY = sa.text("assignee IS NOT NULL")


class HumanTaskRecord(Base):
    """Projection of user/manual tasks for task lists; task lists read only this table.

    Rows cluster by case; the queue index holds ready tasks only and the assignee index claimed
    ones only, so completing an unclaimed task touches few index pages.
    """

    __tablename__ = "human_tasks"
    __table_args__ = (
        sa.Index("ix_human_tasks_queue", "candidate_group", "due_at", sqlite_where=READY_ONLY,
                 postgresql_where=READY_ONLY),
        sa.Index("ix_human_tasks_assignee", "assignee", "state", sqlite_where=CLAIMED_ONLY,
                 postgresql_where=CLAIMED_ONLY),
        # the step clock's sweep (engine.scheduling.step_clock): ready tasks with a step, by warning and due time
        sa.Index("ix_human_tasks_clock_warn", "warn_at", sqlite_where=CLOCKED, postgresql_where=CLOCKED),
        sa.Index("ix_human_tasks_clock_due", "due_at", sqlite_where=CLOCKED, postgresql_where=CLOCKED),
        {"sqlite_with_rowid": False},
    )

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    id: Mapped[str] = mapped_column(TASK_ID, primary_key=True, unique=True)
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_versions.id"))
    bpmn_id: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str] = mapped_column(sa.Text)
    lane: Mapped[str | None] = mapped_column(sa.Text)
    candidate_group: Mapped[str | None] = mapped_column(sa.Text)
    form: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(20))
    assignee: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(TS)
    claimed_at: Mapped[datetime | None] = mapped_column(TS)
    completed_at: Mapped[datetime | None] = mapped_column(TS)
    completed_by: Mapped[str | None] = mapped_column(sa.String(100))
    due_at: Mapped[datetime | None] = mapped_column(TS)
    # The step clock (migration 0021): the step key the task declares (``stepLimit``), its warning time and the
    # group it escalates to when overdue, from the process's step-limit decision; when the sweep recorded each.
    step: Mapped[str | None] = mapped_column(sa.String(40))
    warn_at: Mapped[datetime | None] = mapped_column(TS)
    escalate_to: Mapped[str | None] = mapped_column(sa.Text)
    warned_at: Mapped[datetime | None] = mapped_column(TS)
    overdue_at: Mapped[datetime | None] = mapped_column(TS)


class TimerRecord(Base):
    """A timer event waiting in a case, synced after every step; the scheduler fires due rows."""

    __tablename__ = "timers"
    __table_args__ = (sa.Index("ix_timers_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(TASK_ID, unique=True)
    bpmn_id: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(20))
    due_at: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(sa.String(20))  # pending | fired | cancelled | failed
    fired_at: Mapped[datetime | None] = mapped_column(TS)
    fire_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)  # why firing failed (status failed)


class MessageWaitRecord(Base):
    """A case waiting for a named message, with the correlation values it expects."""

    __tablename__ = "message_waits"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(TASK_ID, unique=True)
    name: Mapped[str] = mapped_column(sa.Text, index=True)
    correlation: Mapped[str] = mapped_column(sa.Text)  # canonical JSON


class CaseEventRecord(Base):
    """Append-only audit log, hash-chained per case; keyed by (case, sequence)."""

    __tablename__ = "case_events"
    __table_args__ = ({"sqlite_with_rowid": False},)

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(TS)
    actor: Mapped[str] = mapped_column(sa.String(100))
    actor_kind: Mapped[str | None] = mapped_column(sa.String(20))  # person, scheduler, api_client … (None: older rows)
    event_type: Mapped[str] = mapped_column(sa.String(50))
    command: Mapped[str | None] = mapped_column(sa.String(30))  # on the first event of each command's step
    request_id: Mapped[str | None] = mapped_column(sa.String(128))  # the request, timer firing or CLI run (logs)
    task_id: Mapped[str | None] = mapped_column(TASK_ID)
    bpmn_id: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[str] = mapped_column(sa.Text)
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_versions.id"))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class OutboxRecord(Base):
    """Messages a case threw, written with the step that threw them and delivered after commit.

    Delivery is at least once: the handler's follow-up delivers at once, and the scheduler retries
    what a crash left undelivered (a message-start delivery is deduplicated by its outbox id).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_undelivered", "created_at", sqlite_where=sa.text("delivered_at IS NULL"),
                 postgresql_where=sa.text("delivered_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    name: Mapped[str] = mapped_column(sa.Text)
    payload: Mapped[str] = mapped_column(sa.Text)  # JSON object
    correlation: Mapped[str] = mapped_column(sa.Text)  # JSON object
    created_at: Mapped[datetime] = mapped_column(TS)
    delivered_at: Mapped[datetime | None] = mapped_column(TS)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class DistrictRecord(Base):
    """A district (区) of the city."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    geometry: Mapped[str] = mapped_column(sa.Text)  # GeoJSON geometry, lon/lat


class RespGridRecord(Base):
    """A responsibility grid (责任网格), e.g. a street's area."""

    __tablename__ = "resp_grids"

    code: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), index=True)
    geometry: Mapped[str] = mapped_column(sa.Text)
    street_code: Mapped[str | None] = mapped_column(sa.String(30), index=True)  # its street (streets.code)


class UnitGridRecord(Base):
    """A unit grid (单元网格), nested in one responsibility grid."""

    __tablename__ = "unit_grids"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    resp_grid_code: Mapped[str] = mapped_column(sa.ForeignKey("resp_grids.code"), index=True)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), index=True)
    area_km2: Mapped[float] = mapped_column(sa.Float)
    geometry: Mapped[str] = mapped_column(sa.Text)


class AspectRecord(Base):
    """A management aspect (管理方面)."""

    __tablename__ = "aspects"

    code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)


class SubtypeRecord(Base):
    """A problem subtype: 部件 (component) or 事件 (event), with its default time limit."""

    __tablename__ = "subtypes"

    code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    major_code: Mapped[str] = mapped_column(sa.String(10))
    major_name_zh: Mapped[str] = mapped_column(sa.Text)
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)
    aspect_code: Mapped[str] = mapped_column(sa.ForeignKey("aspects.code"))
    default_urgency: Mapped[str] = mapped_column(sa.String(20))
    limit_amount: Mapped[float] = mapped_column(sa.Float)
    limit_unit: Mapped[str] = mapped_column(sa.String(20))
    closing_standard: Mapped[str] = mapped_column(sa.Text)
    video_ai: Mapped[bool]
    national_code: Mapped[str | None] = mapped_column(sa.String(20))  # GB/T 30428.2's code, where it has one (0023)


class DepartmentRecord(Base):
    """A department (处置单位 or command centre) at city, district or street level."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)
    level: Mapped[str] = mapped_column(sa.String(20))
    district_code: Mapped[str | None] = mapped_column(sa.String(20))


class UserRecord(Base):
    """A person who signs in; the password is stored as a salted scrypt hash."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(30), index=True)
    department_code: Mapped[str | None] = mapped_column(sa.ForeignKey("departments.code"))
    password_hash: Mapped[str] = mapped_column(sa.Text)
    district_code: Mapped[str | None] = mapped_column(sa.String(20))  # where a collector works
    # Sessions carry the epoch they began in; signing out or a new password moves it on and ends them all.
    session_epoch: Mapped[int] = mapped_column(sa.Integer, server_default="0")


# The web-facing tables live in their own module; importing it here registers them with Base.
from engine.persistence import (  # noqa: E402,F401
    admin_records,
    assessment_records,
    audit_records,
    calendar_records,
    campaign_records,
    case_link_records,
    city_package_records,
    component_records,
    cutover_records,
    decoration_records,
    emergency_records,
    enforcement_records,
    job_records,
    notification_records,
    public_records,
    read_records,
    sign_in_records,
    transport_records,
)
