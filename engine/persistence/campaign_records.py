"""Census campaigns' tables (专项普查; city/campaigns), migration 0028.

``campaign_topics`` is the city package's catalogue of topics (``campaign_topics.json``); a campaign (``campaigns``)
runs one ``census_campaign`` case and one ``census_sweep`` case per unit grid (``campaign_grids``); a grid's
checklist items are recorded as ``campaign_checks`` (one row per item: clear, finding or a count) and its findings as
``campaign_findings`` (a lifecycle case, a record kept with the campaign, or a watched hazard). The indexes serve
the progress page's counts: grids by state and by street, findings by topic.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class CampaignTopicRecord(Base):
    """A census or hazard topic of the city's catalogue, with its checklist (JSON list of items)."""

    __tablename__ = "campaign_topics"
    __table_args__ = (sa.CheckConstraint("\"group\" IN ('census', 'hazard')", name="ck_campaign_topics_group"),)

    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))
    topic_group: Mapped[str] = mapped_column("group", sa.String(20))
    checklist_json: Mapped[str] = mapped_column(sa.Text)
    enabled: Mapped[bool] = mapped_column(sa.Boolean)


class CampaignRecord(Base):
    """A campaign: its census_campaign case, topics, area, teams and period."""

    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('census', 'hazard_survey')", name="ck_campaigns_kind"),
        sa.CheckConstraint("state IN ('running', 'ended')", name="ck_campaigns_state"),
        sa.Index("ix_campaigns_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    emergency_id: Mapped[int | None] = mapped_column(sa.Integer)
    topics_json: Mapped[str] = mapped_column(sa.Text)
    area_json: Mapped[str] = mapped_column(sa.Text)
    teams_json: Mapped[str] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(TS)
    ends_at: Mapped[datetime] = mapped_column(TS)
    state: Mapped[str] = mapped_column(sa.String(20))
    grid_count: Mapped[int] = mapped_column(sa.Integer)
    started_by: Mapped[str] = mapped_column(sa.String(100))
    started_at: Mapped[datetime] = mapped_column(TS)
    ended_at: Mapped[datetime | None] = mapped_column(TS)  # ended early (EndCampaign, migration 0030): when, who, why
    ended_by: Mapped[str | None] = mapped_column(sa.String(100))
    end_reason: Mapped[str | None] = mapped_column(sa.Text)


class CampaignGridRecord(Base):
    """One unit grid of a campaign: its census_sweep case, team, task group, due time and progress."""

    __tablename__ = "campaign_grids"
    __table_args__ = (
        sa.CheckConstraint("state IN ('open', 'done', 'ended')", name="ck_campaign_grids_state"),
        sa.Index("ix_campaign_grids_campaign_state", "campaign_id", "state"),
        sa.Index("ix_campaign_grids_campaign_street", "campaign_id", "street_code"),
        sa.Index("ix_campaign_grids_case_id", "case_id"),
    )

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    grid_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    district_code: Mapped[str] = mapped_column(sa.String(40))
    street_code: Mapped[str | None] = mapped_column(sa.String(40))  # the grid's street, if its 责任网格 has one
    team: Mapped[str | None] = mapped_column(sa.String(100))
    task_group: Mapped[str] = mapped_column(sa.String(100))
    due_at: Mapped[datetime] = mapped_column(TS)
    state: Mapped[str] = mapped_column(sa.String(20))
    topics_done: Mapped[int] = mapped_column(sa.Integer)
    findings: Mapped[int] = mapped_column(sa.Integer)
    done_at: Mapped[datetime | None] = mapped_column(TS)
    done_by: Mapped[str | None] = mapped_column(sa.String(100))


class CampaignCheckRecord(Base):
    """What one checklist item of a grid's topic recorded: clear (无问题), finding, or a count."""

    __tablename__ = "campaign_checks"
    __table_args__ = (sa.CheckConstraint("result IN ('clear', 'finding', 'count')", name="ck_campaign_checks_result"),)

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    grid_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    topic_code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    item_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    result: Mapped[str] = mapped_column(sa.String(20))
    count: Mapped[int | None] = mapped_column(sa.Integer)
    actor: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime] = mapped_column(TS)


class CampaignFindingRecord(Base):
    """A finding of a sweep: a lifecycle case ('case'), a record kept with the campaign, or a watched hazard."""

    __tablename__ = "campaign_findings"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "finding_key", name="uq_campaign_findings_campaign_key"),
        sa.CheckConstraint("kind IN ('case', 'record', 'watched')", name="ck_campaign_findings_kind"),
        sa.Index("ix_campaign_findings_campaign_topic", "campaign_id", "topic_code"),
        sa.Index("ix_campaign_findings_campaign_grid", "campaign_id", "grid_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    grid_code: Mapped[str] = mapped_column(sa.String(40))
    topic_code: Mapped[str] = mapped_column(sa.String(20))
    item_code: Mapped[str] = mapped_column(sa.String(40))
    finding_key: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    subtype_code: Mapped[str | None] = mapped_column(sa.String(10))
    description: Mapped[str] = mapped_column(sa.Text)
    lon: Mapped[float] = mapped_column(sa.Float)
    lat: Mapped[float] = mapped_column(sa.Float)
    data_json: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str | None] = mapped_column(sa.String(20))
    actor: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime] = mapped_column(TS)
