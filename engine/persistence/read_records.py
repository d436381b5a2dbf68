"""Records of the web-facing tables: case summaries (the read model), API tokens, attachments and drafts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class CaseSummaryRecord(Base):
    """One row per case: what task lists and case pages filter and show, kept by every step."""

    __tablename__ = "case_summaries"
    __table_args__ = (
        sa.Index("ix_case_summaries_case_no", "case_no", unique=True),
        sa.Index("ix_case_summaries_department", "department"),
        sa.Index("ix_case_summaries_district", "district"),
    )

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    case_no: Mapped[str] = mapped_column(sa.String(24))
    channel: Mapped[str | None] = mapped_column(sa.String(30))
    subtype: Mapped[str | None] = mapped_column(sa.String(10))
    description: Mapped[str | None] = mapped_column(sa.Text)
    district: Mapped[str | None] = mapped_column(sa.String(20))
    resp_grid: Mapped[str | None] = mapped_column(sa.String(30))
    unit_grid: Mapped[str | None] = mapped_column(sa.String(40))
    lon: Mapped[float | None] = mapped_column(sa.Float)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    urgency: Mapped[str | None] = mapped_column(sa.String(20))
    department: Mapped[str | None] = mapped_column(sa.String(30))
    due_at: Mapped[datetime | None] = mapped_column(TS)
    warn_at: Mapped[datetime | None] = mapped_column(TS)
    counters: Mapped[str | None] = mapped_column(sa.Text)  # JSON
    evaluation: Mapped[str | None] = mapped_column(sa.Text)  # JSON, when the case has ended
    updated_at: Mapped[datetime] = mapped_column(TS)


class ApiTokenRecord(Base):
    """A bearer token for a machine client; only its sha256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.Index("ix_api_tokens_token_hash", "token_hash", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.ForeignKey("users.username"))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    last_used_at: Mapped[datetime | None] = mapped_column(TS)
    revoked_at: Mapped[datetime | None] = mapped_column(TS)
    expires_at: Mapped[datetime | None] = mapped_column(TS)  # set for every token (migration 0015 dated the old)


class AttachmentRecord(Base):
    """Evidence attached to a case; the bytes live in the attachment store under their sha256."""

    __tablename__ = "attachments"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)  # reports name it alone
    filename: Mapped[str] = mapped_column(sa.Text)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    uploaded_by: Mapped[str] = mapped_column(sa.String(100))
    uploaded_at: Mapped[datetime] = mapped_column(TS)


class ProcessDraftRecord(Base):
    """A designer's unsaved work: one BPMN or DMN file per owner and file name, until deployed or deleted."""

    __tablename__ = "process_drafts"
    __table_args__ = (sa.UniqueConstraint("owner", "file_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(sa.ForeignKey("users.username"))
    file_name: Mapped[str] = mapped_column(sa.Text)
    process_id: Mapped[str | None] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)
    base_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_versions.id"))
    updated_at: Mapped[datetime] = mapped_column(TS)


class CaseFactRecord(Base):
    """One row per case, live or imported history: what KPIs, rankings and heat maps read."""

    __tablename__ = "case_facts"
    __table_args__ = (
        sa.Index("ix_case_facts_month_department", "month", "department"),
        sa.Index("ix_case_facts_unit_grid_month", "unit_grid", "month"),
        sa.Index("ix_case_facts_case_id", "case_id", unique=True),
    )

    case_no: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    source: Mapped[str] = mapped_column(sa.String(10))  # live | history
    month: Mapped[str] = mapped_column(sa.String(7))  # yyyy-mm, city time
    day: Mapped[str] = mapped_column(sa.String(10))  # yyyy-mm-dd, city time
    reported_at: Mapped[datetime] = mapped_column(TS)
    channel: Mapped[str | None] = mapped_column(sa.String(30))
    subtype: Mapped[str | None] = mapped_column(sa.String(10))
    district: Mapped[str | None] = mapped_column(sa.String(20))
    resp_grid: Mapped[str | None] = mapped_column(sa.String(30))
    unit_grid: Mapped[str | None] = mapped_column(sa.String(40))
    lon: Mapped[float | None] = mapped_column(sa.Float)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    department: Mapped[str | None] = mapped_column(sa.String(30))
    returned_by: Mapped[str | None] = mapped_column(sa.String(30))  # migration 0012: who sent it back (回退)
    reporter: Mapped[str | None] = mapped_column(sa.String(100))
    verifier: Mapped[str | None] = mapped_column(sa.String(100))
    dispatcher: Mapped[str | None] = mapped_column(sa.String(100))
    checker: Mapped[str | None] = mapped_column(sa.String(100))
    verified_at: Mapped[datetime | None] = mapped_column(TS)
    filed_at: Mapped[datetime | None] = mapped_column(TS)
    dispatched_at: Mapped[datetime | None] = mapped_column(TS)
    disposed_at: Mapped[datetime | None] = mapped_column(TS)
    checked_at: Mapped[datetime | None] = mapped_column(TS)
    closed_at: Mapped[datetime | None] = mapped_column(TS)
    due_at: Mapped[datetime | None] = mapped_column(TS)
    result: Mapped[str] = mapped_column(sa.String(10))  # open | closed | voided
    void_reason: Mapped[str | None] = mapped_column(sa.String(20))
    close_type: Mapped[str | None] = mapped_column(sa.String(10))
    closed_on_time: Mapped[bool | None] = mapped_column(sa.Boolean)
    reworks: Mapped[int] = mapped_column()
    returns: Mapped[int] = mapped_column()
    extensions: Mapped[int] = mapped_column()
    suspensions: Mapped[int] = mapped_column()
    overdue: Mapped[int] = mapped_column()
    wrong_dispatches: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(TS)


class CaseFactCountRecord(Base):
    """Cases per month, unit grid, subtype, channel and department ('' when none): heat maps and trends."""

    __tablename__ = "case_fact_counts"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    unit_grid: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    subtype: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    department: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    cases: Mapped[int] = mapped_column()


class KpiConfigVersionRecord(Base):
    """A KPI configuration (weights, limits) as applied; reports name the version they used."""

    __tablename__ = "kpi_config_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[str] = mapped_column(sa.Text)
    applied_at: Mapped[datetime] = mapped_column(TS)
    applied_by: Mapped[str] = mapped_column(sa.String(100))
    comment: Mapped[str] = mapped_column(sa.Text)


# Migration 0010: the heat map's indexes (cases per unit grid filtered by subtype, channel, department or source).
for _column in ("subtype", "channel", "department"):
    sa.Index(f"ix_case_fact_counts_{_column}_grid", CaseFactCountRecord.__table__.c[_column],
             CaseFactCountRecord.__table__.c.unit_grid, CaseFactCountRecord.__table__.c.month,
             CaseFactCountRecord.__table__.c.cases)
sa.Index("ix_case_facts_source_grid_month", CaseFactRecord.__table__.c.source, CaseFactRecord.__table__.c.unit_grid,
         CaseFactRecord.__table__.c.month)
# Migration 0011: periods with partial edge months and source filters read the facts through this index only.
sa.Index("ix_case_facts_month_day_grid", *(CaseFactRecord.__table__.c[name] for name in (
    "month", "day", "unit_grid", "source", "subtype", "channel", "department")))


class CaseFactGridCountRecord(Base):
    """Cases per unit grid, month and source ('' when no grid): heat maps without a subtype, channel or department
    filter (migration 0013)."""

    __tablename__ = "case_fact_grid_counts"
    __table_args__ = (
        sa.Index("ix_case_fact_grid_counts_month", "month", "unit_grid", "source", "cases"),
        {"sqlite_with_rowid": False},
    )

    unit_grid: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    cases: Mapped[int] = mapped_column()


class CaseFactChannelCountRecord(Base):
    """Cases per channel, unit grid and month ('' when none): heat maps filtered by channel alone (migration
    0014)."""

    __tablename__ = "case_fact_channel_counts"
    __table_args__ = (
        sa.Index("ix_case_fact_channel_counts_month", "month", "channel", "unit_grid", "cases"),
        {"sqlite_with_rowid": False},
    )

    channel: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    unit_grid: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    cases: Mapped[int] = mapped_column()


# Migration 0013: 超期未处置数 reads the cases reported back late (by when) and those never reported back (by
# deadline), voided ones left out; every column the count reads is in the index.
_OVERDUE = ("due_at", "dispatched_at", "reported_at", "closed_at", "department", "district", "resp_grid", "result")
_LATE = sa.text("result <> 'voided' AND disposed_at > due_at")
_UNDISPOSED = sa.text("result <> 'voided' AND disposed_at IS NULL")
sa.Index("ix_case_facts_late", *(CaseFactRecord.__table__.c[name] for name in ("disposed_at", *_OVERDUE)),
         sqlite_where=_LATE, postgresql_where=_LATE)
sa.Index("ix_case_facts_undisposed", *(CaseFactRecord.__table__.c[name] for name in (*_OVERDUE, "disposed_at")),
         sqlite_where=_UNDISPOSED, postgresql_where=_UNDISPOSED)
