"""Garbage-sorting assessment (垃圾分类考评) and property supervision (物业监管): city/assessment, migration 0034.

Both lines follow one pattern over their own registry: ``assessed_objects`` (a scheme's residential communities,
public institutions, collection points, transfer stations — or, for property, residential compounds with their
polygon and property company) and ``property_companies`` (物业企业, with a credit file) are loaded from files and
kept by admins; ``assessment_checklists`` holds each scheme's weighted checklist, one row per loaded version.
A round (``assessment_rounds``: a scheme's period, started by the ``assessment_round`` model's timer or by hand)
starts one ``assessment_inspection`` case per active object (``assessment_inspections``); what the inspector
recorded per item and visit — the first inspection is visit 0, re-inspections 1, 2 … — is ``assessment_results``,
with the rectification case a failed item opened. ``property_credit_events`` are the points a company lost, by
the rules of ``property_credit.dmn``: a case reported inside one of its compounds, or a poor inspection.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base

SCHEMES = ("garbage_sorting", "property")
OBJECT_KINDS = ("community", "institution", "collection_point", "transfer_station", "compound")
_SCHEMES_SQL = ", ".join(f"'{s}'" for s in SCHEMES)
_KINDS_SQL = ", ".join(f"'{k}'" for k in OBJECT_KINDS)


class PropertyCompanyRecord(Base):
    """A property management company (物业企业): its credit file is its ``property_credit_events``."""

    __tablename__ = "property_companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # 统一社会信用代码, or the city's own code
    name: Mapped[str] = mapped_column(sa.String(200))
    contact_name: Mapped[str | None] = mapped_column(sa.String(100))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(sa.Boolean)
    updated_at: Mapped[datetime] = mapped_column(TS)


class AssessedObjectRecord(Base):
    """An object a scheme assesses: where it is (point; a compound's polygon as GeoJSON with its bounding box for
    the point-in-compound lookup), its place codes, the unit answering for its rectifications, its company."""

    __tablename__ = "assessed_objects"
    __table_args__ = (
        sa.UniqueConstraint("scheme", "code", name="uq_assessed_objects_scheme_code"),
        sa.CheckConstraint(f"scheme IN ({_SCHEMES_SQL})", name="ck_assessed_objects_scheme"),
        sa.CheckConstraint(f"kind IN ({_KINDS_SQL})", name="ck_assessed_objects_kind"),
        sa.Index("ix_assessed_objects_scheme_district_code", "scheme", "district_code"),
        sa.Index("ix_assessed_objects_company_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(sa.String(20))
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(30))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    district_code: Mapped[str] = mapped_column(sa.String(20))
    street_code: Mapped[str | None] = mapped_column(sa.String(20))
    grid_code: Mapped[str | None] = mapped_column(sa.String(20))
    lon: Mapped[float] = mapped_column(sa.Float)
    lat: Mapped[float] = mapped_column(sa.Float)
    polygon_json: Mapped[str | None] = mapped_column(sa.Text)  # a compound's Polygon/MultiPolygon geometry
    min_lon: Mapped[float | None] = mapped_column(sa.Float)
    min_lat: Mapped[float | None] = mapped_column(sa.Float)
    max_lon: Mapped[float | None] = mapped_column(sa.Float)
    max_lat: Mapped[float | None] = mapped_column(sa.Float)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property_companies.id"))
    department_code: Mapped[str | None] = mapped_column(sa.String(20))  # answers for its rectifications
    active: Mapped[bool] = mapped_column(sa.Boolean)
    updated_at: Mapped[datetime] = mapped_column(TS)


class AssessmentChecklistRecord(Base):
    """One loaded version of a scheme's weighted checklist (items with points, deductions, photo rule, subtype):
    a round keeps the version it started with, so a later change never rescores a past round."""

    __tablename__ = "assessment_checklists"
    __table_args__ = (
        sa.UniqueConstraint("scheme", "version", name="uq_assessment_checklists_scheme_version"),
        sa.CheckConstraint(f"scheme IN ({_SCHEMES_SQL})", name="ck_assessment_checklists_scheme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(sa.String(20))
    version: Mapped[int] = mapped_column(sa.Integer)
    items_json: Mapped[str] = mapped_column(sa.Text)
    loaded_by: Mapped[str] = mapped_column(sa.String(100))
    loaded_at: Mapped[datetime] = mapped_column(TS)


class AssessmentRoundRecord(Base):
    """A scheme's round for one period (``2027-01``, ``2027-Q1``): its ``assessment_round`` case, checklist
    version, period and state."""

    __tablename__ = "assessment_rounds"
    __table_args__ = (
        sa.UniqueConstraint("scheme", "period", name="uq_assessment_rounds_scheme_period"),
        sa.CheckConstraint(f"scheme IN ({_SCHEMES_SQL})", name="ck_assessment_rounds_scheme"),
        sa.CheckConstraint("state IN ('running', 'closed')", name="ck_assessment_rounds_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(sa.String(20))
    period: Mapped[str] = mapped_column(sa.String(10))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_checklists.id"))
    starts_at: Mapped[datetime] = mapped_column(TS)
    due_at: Mapped[datetime] = mapped_column(TS)
    state: Mapped[str] = mapped_column(sa.String(20))
    object_count: Mapped[int] = mapped_column(sa.Integer)
    started_by: Mapped[str] = mapped_column(sa.String(100))
    started_at: Mapped[datetime] = mapped_column(TS)
    closed_at: Mapped[datetime | None] = mapped_column(TS)


class AssessmentInspectionRecord(Base):
    """One object's inspection in a round: the object's kind, place and company as the round opened it (a later
    registry change moves no past score to another street or company), its ``assessment_inspection`` case, task
    group and due time, the
    score of the first inspection (the round's score: re-inspections decide the rectifications, not the score),
    and how the rectifications went."""

    __tablename__ = "assessment_inspections"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "object_id", name="uq_assessment_inspections_round_id_object_id"),
        sa.CheckConstraint("state IN ('open', 'rectifying', 'closed', 'escalated')",
                           name="ck_assessment_inspections_state"),
        sa.Index("ix_assessment_inspections_object_id", "object_id"),
        sa.Index("ix_assessment_inspections_round_id_district_code", "round_id", "district_code"),
        sa.Index("ix_assessment_inspections_task_group_state", "task_group", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_rounds.id"))
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("assessed_objects.id"))
    # the object as the round opened it (its kind chose the items; its place and company rank it in that period)
    object_kind: Mapped[str] = mapped_column(sa.String(30))
    district_code: Mapped[str] = mapped_column(sa.String(20))
    street_code: Mapped[str | None] = mapped_column(sa.String(20))
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property_companies.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    task_group: Mapped[str | None] = mapped_column(sa.String(100))
    due_at: Mapped[datetime] = mapped_column(TS)
    state: Mapped[str] = mapped_column(sa.String(20))
    score: Mapped[float | None] = mapped_column(sa.Float)
    deducted: Mapped[float | None] = mapped_column(sa.Float)
    failed_items: Mapped[int | None] = mapped_column(sa.Integer)
    inspected_by: Mapped[str | None] = mapped_column(sa.String(100))
    inspected_at: Mapped[datetime | None] = mapped_column(TS)
    visits: Mapped[int] = mapped_column(sa.Integer)  # visits completed: 1 after the inspection, +1 a re-inspection
    closed_at: Mapped[datetime | None] = mapped_column(TS)


class AssessmentResultRecord(Base):
    """What one visit recorded for one checklist item: pass, fail (with its deduction) or not applicable, the
    note and photos (digests of the inspection case's uploads), and the rectification case a failure opened."""

    __tablename__ = "assessment_results"
    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "visit", "item_code", name="uq_assessment_results_visit_item"),
        sa.CheckConstraint("result IN ('pass', 'fail', 'na')", name="ck_assessment_results_result"),
        sa.Index("ix_assessment_results_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_inspections.id"))
    visit: Mapped[int] = mapped_column(sa.Integer)
    item_code: Mapped[str] = mapped_column(sa.String(40))
    result: Mapped[str] = mapped_column(sa.String(10))
    deduction: Mapped[float] = mapped_column(sa.Float)
    deduction_code: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str | None] = mapped_column(sa.Text)
    photos_json: Mapped[str] = mapped_column(sa.Text)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))  # the rectification case (整改)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = mapped_column(TS)


class PropertyCreditEventRecord(Base):
    """Points a property company lost (or, negative, regained) by a rule of ``property_credit.dmn``: a case
    reported inside one of its compounds or an inspection's score. ``event_key`` (``case:<id>``,
    ``inspection:<id>``) makes each count once."""

    __tablename__ = "property_credit_events"
    __table_args__ = (
        sa.UniqueConstraint("event_key", name="uq_property_credit_events_event_key"),
        sa.CheckConstraint("source IN ('case', 'inspection')", name="ck_property_credit_events_source"),
        sa.Index("ix_property_credit_events_company_id_at", "company_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(sa.String(60))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("property_companies.id"))
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("assessed_objects.id"))
    source: Mapped[str] = mapped_column(sa.String(20))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessment_inspections.id"))
    subtype_code: Mapped[str | None] = mapped_column(sa.String(20))
    points: Mapped[float] = mapped_column(sa.Float)
    reason: Mapped[str] = mapped_column(sa.String(200))
    at: Mapped[datetime] = mapped_column(TS)
