"""Indoor decoration works' tables (室内装修工程; city/decoration), migration 0032.

``decoration_works`` is one row per registered works (its ``decoration_works`` process case): where (address,
compound, grid), owner, contractor, period, expected waste, and the waste's removal by a permitted transport company
(a transport permit, docs/transport.md) once it is registered. ``decoration_case_links`` ties lifecycle cases of
waste (积存垃圾渣土, 建筑垃圾乱倒 …) found near a works without a registered removal to that works.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class DecorationWorksRecord(Base):
    """A registered indoor decoration works (装修登记)."""

    __tablename__ = "decoration_works"
    __table_args__ = (
        sa.CheckConstraint("state IN ('registered', 'in_progress', 'finished', 'cancelled')",
                           name="ck_decoration_works_state"),
        sa.Index("ix_decoration_works_state", "state"),
        sa.Index("ix_decoration_works_grid_code", "grid_code"),
        sa.Index("ix_decoration_works_district_code_state", "district_code", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # 登记号
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    address: Mapped[str] = mapped_column(sa.String(300))
    compound_name: Mapped[str | None] = mapped_column(sa.String(200))
    district_code: Mapped[str] = mapped_column(sa.String(20))
    street_code: Mapped[str | None] = mapped_column(sa.String(20))
    grid_code: Mapped[str | None] = mapped_column(sa.String(20))
    lon: Mapped[float] = mapped_column(sa.Float)
    lat: Mapped[float] = mapped_column(sa.Float)
    owner_name: Mapped[str] = mapped_column(sa.String(100))
    owner_phone: Mapped[str] = mapped_column(sa.String(40))
    contractor: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    expected_waste_m3: Mapped[float] = mapped_column(sa.Float)
    removal_permit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transport_permits.id"))
    removal_company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transport_companies.id"))
    removal_registered_at: Mapped[datetime | None] = mapped_column(TS)
    state: Mapped[str] = mapped_column(sa.String(20))
    registered_by: Mapped[str] = mapped_column(sa.String(100))
    registered_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)


class DecorationCaseLinkRecord(Base):
    """A lifecycle case of waste found near a works that had no registered removal (why: ``reason``)."""

    __tablename__ = "decoration_case_links"
    __table_args__ = (sa.Index("ix_decoration_case_links_case_id", "case_id"),)

    works_id: Mapped[int] = mapped_column(sa.ForeignKey("decoration_works.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    linked_at: Mapped[datetime] = mapped_column(TS)
