"""Census campaigns (专项普查): campaigns, their grids' sweeps, checklist items and findings (city/campaigns).

``campaign_topics`` holds the city package's topics; ``campaigns`` one row per campaign (its census_campaign case);
``campaign_grids`` one per unit grid swept (its census_sweep case), indexed for the progress counts by state and by
street; ``campaign_checks`` one per checklist item recorded; ``campaign_findings`` the findings, unique per
(campaign, finding_key) so a repeated report is found, indexed by topic and by grid.

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _topics_and_campaigns() -> None:
    op.create_table(
        "campaign_topics",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("group", sa.String(20), nullable=False),
        sa.Column("checklist_json", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.CheckConstraint("\"group\" IN ('census', 'hazard')", name="ck_campaign_topics_group"),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("emergency_id", sa.Integer(), nullable=True),
        sa.Column("topics_json", sa.Text(), nullable=False),
        sa.Column("area_json", sa.Text(), nullable=False),
        sa.Column("teams_json", sa.Text(), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("grid_count", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('census', 'hazard_survey')", name="ck_campaigns_kind"),
        sa.CheckConstraint("state IN ('running', 'ended')", name="ck_campaigns_state"),
    )
    op.create_index("ix_campaigns_case_id", "campaigns", ["case_id"])


def _grids_and_checks() -> None:
    op.create_table(
        "campaign_grids",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("grid_code", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("district_code", sa.String(40), nullable=False),
        sa.Column("street_code", sa.String(40), nullable=True),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("task_group", sa.String(100), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("topics_done", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("done_at", TS, nullable=True),
        sa.Column("done_by", sa.String(100), nullable=True),
        sa.CheckConstraint("state IN ('open', 'done')", name="ck_campaign_grids_state"),
    )
    op.create_index("ix_campaign_grids_campaign_state", "campaign_grids", ["campaign_id", "state"])
    op.create_index("ix_campaign_grids_campaign_street", "campaign_grids", ["campaign_id", "street_code"])
    op.create_index("ix_campaign_grids_case_id", "campaign_grids", ["case_id"])
    op.create_table(
        "campaign_checks",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("grid_code", sa.String(40), primary_key=True),
        sa.Column("topic_code", sa.String(20), primary_key=True),
        sa.Column("item_code", sa.String(40), primary_key=True),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.CheckConstraint("result IN ('clear', 'finding', 'count')", name="ck_campaign_checks_result"),
    )


def _findings() -> None:
    op.create_table(
        "campaign_findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("grid_code", sa.String(40), nullable=False),
        sa.Column("topic_code", sa.String(20), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("finding_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("subtype_code", sa.String(10), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.UniqueConstraint("campaign_id", "finding_key", name="uq_campaign_findings_campaign_key"),
        sa.CheckConstraint("kind IN ('case', 'record', 'watched')", name="ck_campaign_findings_kind"),
    )
    op.create_index("ix_campaign_findings_campaign_topic", "campaign_findings", ["campaign_id", "topic_code"])
    op.create_index("ix_campaign_findings_campaign_grid", "campaign_findings", ["campaign_id", "grid_code"])


def upgrade() -> None:
    _topics_and_campaigns()
    _grids_and_checks()
    _findings()


def downgrade() -> None:
    for table in ("campaign_findings", "campaign_checks", "campaign_grids", "campaigns", "campaign_topics"):
        op.drop_table(table)  # their indexes go with them
