"""Garbage-sorting assessment (垃圾分类考评) and property supervision (物业监管): the registries, checklists, rounds,
inspections, their results and the property companies' credit events (city/assessment).

Revision ID: 0034
Revises: 0033
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
SCHEMES = "scheme IN ('garbage_sorting', 'property')"
KINDS = "kind IN ('community', 'institution', 'collection_point', 'transfer_station', 'compound')"


def _companies() -> None:
    op.create_table(
        "property_companies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("contact_name", sa.String(100), nullable=True),
        sa.Column("contact_phone", sa.String(40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("code", name="uq_property_companies_code"),
    )


def _registries() -> None:
    op.create_table(
        "assessed_objects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scheme", sa.String(20), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("district_code", sa.String(20), nullable=False),
        sa.Column("street_code", sa.String(20), nullable=True),
        sa.Column("grid_code", sa.String(20), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("polygon_json", sa.Text(), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=True),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("max_lon", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("property_companies.id"), nullable=True),
        sa.Column("department_code", sa.String(20), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("scheme", "code", name="uq_assessed_objects_scheme_code"),
        sa.CheckConstraint(SCHEMES, name="ck_assessed_objects_scheme"),
        sa.CheckConstraint(KINDS, name="ck_assessed_objects_kind"),
    )
    op.create_index("ix_assessed_objects_scheme_district_code", "assessed_objects", ["scheme", "district_code"])
    op.create_index("ix_assessed_objects_company_id", "assessed_objects", ["company_id"])
    op.create_table(
        "assessment_checklists",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scheme", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items_json", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.UniqueConstraint("scheme", "version", name="uq_assessment_checklists_scheme_version"),
        sa.CheckConstraint(SCHEMES, name="ck_assessment_checklists_scheme"),
    )


def _rounds() -> None:
    op.create_table(
        "assessment_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scheme", sa.String(20), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("checklist_id", sa.Integer(), sa.ForeignKey("assessment_checklists.id"), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("object_count", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.UniqueConstraint("scheme", "period", name="uq_assessment_rounds_scheme_period"),
        sa.UniqueConstraint("case_id", name="uq_assessment_rounds_case_id"),
        sa.CheckConstraint(SCHEMES, name="ck_assessment_rounds_scheme"),
        sa.CheckConstraint("state IN ('running', 'closed')", name="ck_assessment_rounds_state"),
    )
    op.create_table(
        "assessment_inspections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("assessment_rounds.id"), nullable=False),
        sa.Column("object_id", sa.Integer(), sa.ForeignKey("assessed_objects.id"), nullable=False),
        sa.Column("object_kind", sa.String(30), nullable=False),
        sa.Column("district_code", sa.String(20), nullable=False),
        sa.Column("street_code", sa.String(20), nullable=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("property_companies.id"), nullable=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("task_group", sa.String(100), nullable=True),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("deducted", sa.Float(), nullable=True),
        sa.Column("failed_items", sa.Integer(), nullable=True),
        sa.Column("inspected_by", sa.String(100), nullable=True),
        sa.Column("inspected_at", TS, nullable=True),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.UniqueConstraint("round_id", "object_id", name="uq_assessment_inspections_round_id_object_id"),
        sa.UniqueConstraint("case_id", name="uq_assessment_inspections_case_id"),
        sa.CheckConstraint("state IN ('open', 'rectifying', 'closed', 'escalated')",
                           name="ck_assessment_inspections_state"),
    )
    op.create_index("ix_assessment_inspections_object_id", "assessment_inspections", ["object_id"])
    op.create_index("ix_assessment_inspections_round_id_district_code", "assessment_inspections",
                    ["round_id", "district_code"])
    op.create_index("ix_assessment_inspections_task_group_state", "assessment_inspections", ["task_group", "state"])


def _results() -> None:
    op.create_table(
        "assessment_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("assessment_inspections.id"), nullable=False),
        sa.Column("visit", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("result", sa.String(10), nullable=False),
        sa.Column("deduction", sa.Float(), nullable=False),
        sa.Column("deduction_code", sa.String(40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("photos_json", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("inspection_id", "visit", "item_code", name="uq_assessment_results_visit_item"),
        sa.CheckConstraint("result IN ('pass', 'fail', 'na')", name="ck_assessment_results_result"),
    )
    op.create_index("ix_assessment_results_case_id", "assessment_results", ["case_id"])
    op.create_table(
        "property_credit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_key", sa.String(60), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("property_companies.id"), nullable=False),
        sa.Column("object_id", sa.Integer(), sa.ForeignKey("assessed_objects.id"), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("assessment_inspections.id"), nullable=True),
        sa.Column("subtype_code", sa.String(20), nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.UniqueConstraint("event_key", name="uq_property_credit_events_event_key"),
        sa.CheckConstraint("source IN ('case', 'inspection')", name="ck_property_credit_events_source"),
    )
    op.create_index("ix_property_credit_events_company_id_at", "property_credit_events", ["company_id", "at"])


def upgrade() -> None:
    _companies()
    _registries()
    _rounds()
    _results()


def downgrade() -> None:
    for table in ("property_credit_events", "assessment_results", "assessment_inspections", "assessment_rounds",
                  "assessment_checklists", "assessed_objects", "property_companies"):
        op.drop_table(table)
