"""Records of the component (部件) registry (migration 0025): the census components routing by owner looks up."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class ComponentRecord(Base):
    """One census component (部件普查): ``id`` is the census id, ``subtype_code`` its class, ``owner_code`` the owner
    unit (权属单位: a department code or an external owner's name). ``cell_x``/``cell_y`` are lon/lat in
    thousandths of a degree rounded down (about 100 m): the nearest-component lookup reads the cells around a
    point for one class through ``ix_components_subtype_cell`` (city/persistence/read/components.py)."""

    __tablename__ = "components"
    __table_args__ = (sa.Index("ix_components_subtype_cell", "subtype_code", "cell_x", "cell_y"),)

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    subtype_code: Mapped[str] = mapped_column(sa.String(20))
    lon: Mapped[float] = mapped_column(sa.Float)
    lat: Mapped[float] = mapped_column(sa.Float)
    cell_x: Mapped[int]
    cell_y: Mapped[int]
    owner_code: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(20))
    unit_grid: Mapped[str | None] = mapped_column(sa.String(50))
    loaded_at: Mapped[datetime] = mapped_column(TS)


class ComponentLoadRecord(Base):
    """One load of the registry (``gridcase components load``): who, when, which file, replace or merge, and what
    it changed — the registry's own audit trail (components belong to no case)."""

    __tablename__ = "component_loads"

    id: Mapped[int] = mapped_column(primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(TS)
    loaded_by: Mapped[str] = mapped_column(sa.String(100))
    source: Mapped[str] = mapped_column(sa.Text)
    mode: Mapped[str] = mapped_column(sa.String(10))
    added: Mapped[int]
    updated: Mapped[int]
    removed: Mapped[int]
