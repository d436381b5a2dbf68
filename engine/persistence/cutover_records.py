"""Records of open cases imported from a legacy system (migration 0027).

An open case of the legacy system becomes a live lifecycle case (``city/cutover``); this row keeps what the case
page shows of its past ("导入自原系统 / imported from the legacy system"): the legacy number, the step it was at and
the legacy times of the steps before. The live case's own ``cases (channel, external_id)`` = ("legacy", legacy
number) is what makes a second import of the same file add nothing.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class ImportedCaseRecord(Base):
    """One live case imported open: ``legacy_no`` its number in the legacy system, ``step`` where it was waiting,
    ``history_json`` the legacy times and people of the earlier steps ({reported_at, verified_at, …})."""

    __tablename__ = "imported_cases"
    __table_args__ = (sa.UniqueConstraint("legacy_no", name="uq_imported_cases_legacy_no"),)

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), primary_key=True)
    legacy_no: Mapped[str] = mapped_column(sa.String(24))
    step: Mapped[str] = mapped_column(sa.String(20))
    history_json: Mapped[str] = mapped_column(sa.Text)
    imported_at: Mapped[datetime] = mapped_column(TS)
    imported_by: Mapped[str] = mapped_column(sa.String(100))
