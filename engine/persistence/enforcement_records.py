"""Smart law enforcement's table (智慧执法; city/enforcement), migration 0032.

``enforcement_cases`` is one row per enforcement case (its ``enforcement_case`` process case), kept by that case's
steps: the case it was transferred from (``origin_case_id``), the enforcement team (a department code), the stage
(立案审批 filing, 调查取证 investigation, 告知 notice, 处罚决定 decision, 送达 service, 执行 execution, 结案 closed;
``refused`` when filing was not approved), the party, the decision (legal basis, penalty, fine) and when each stage
was reached — what the search page and the enforcement teams' KPIs read.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base

STAGES = ("filing", "investigation", "notice", "decision", "service", "execution", "closed", "refused")


class EnforcementCaseRecord(Base):
    """An enforcement case: origin, team, stage, party, decision and the stage times."""

    __tablename__ = "enforcement_cases"
    __table_args__ = (
        sa.CheckConstraint("stage IN ('filing', 'investigation', 'notice', 'decision', 'service', 'execution',"
                           " 'closed', 'refused')", name="ck_enforcement_cases_stage"),
        sa.Index("ix_enforcement_cases_team_stage", "team", "stage"),
        sa.Index("ix_enforcement_cases_origin_case_id", "origin_case_id"),
        sa.Index("ix_enforcement_cases_transferred_at", "transferred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    origin_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    number: Mapped[str | None] = mapped_column(sa.String(60), unique=True)  # 文书号, given when filing is approved
    team: Mapped[str] = mapped_column(sa.String(20))  # the enforcement team's department code
    stage: Mapped[str] = mapped_column(sa.String(20))
    subtype_code: Mapped[str | None] = mapped_column(sa.String(20))
    district_code: Mapped[str | None] = mapped_column(sa.String(20))
    lon: Mapped[float | None] = mapped_column(sa.Float)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    summary: Mapped[str] = mapped_column(sa.Text)
    party_name: Mapped[str | None] = mapped_column(sa.String(200))
    party_kind: Mapped[str | None] = mapped_column(sa.String(20))  # person, organisation
    party_id: Mapped[str | None] = mapped_column(sa.String(60))  # 身份证号 / 统一社会信用代码
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    penalty_kind: Mapped[str | None] = mapped_column(sa.String(20))
    fine_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    result: Mapped[str | None] = mapped_column(sa.String(20))
    transferred_by: Mapped[str] = mapped_column(sa.String(100))
    transferred_at: Mapped[datetime] = mapped_column(TS)
    filed_at: Mapped[datetime | None] = mapped_column(TS)
    decided_at: Mapped[datetime | None] = mapped_column(TS)
    served_at: Mapped[datetime | None] = mapped_column(TS)
    executed_at: Mapped[datetime | None] = mapped_column(TS)
    closed_at: Mapped[datetime | None] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)
