"""Records linking cases to each other: duplicates (migration 0026) and enforcement (0033).

A report voided at 立案 as a duplicate of an open case is linked both ways: the voided case ``duplicate_of`` the
original, the original ``has_duplicate`` the voided one (``city/duplicates``). A case transferred to enforcement
``has_enforcement`` case, which is the ``enforcement_of`` it (``city/enforcement``, migration 0033). The index on
``case_facts`` lets the duplicate candidates' query (``city/persistence/read/duplicates.py``) find the open cases of
one subtype within a band of latitude without reading the rest.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.read_records import CaseFactRecord
from engine.persistence.records import TS, Base

LINK_KINDS = ("duplicate_of", "has_duplicate", "enforcement_of", "has_enforcement")


class CaseLinkRecord(Base):
    """One direction of a link between two cases: ``case_id`` is ``kind`` of ``linked_case_id``."""

    __tablename__ = "case_links"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "linked_case_id", "kind", name="uq_case_links_case_linked_kind"),
        sa.CheckConstraint("kind IN ('duplicate_of', 'has_duplicate', 'enforcement_of', 'has_enforcement')",
                           name="ck_case_links_kind"),
        sa.CheckConstraint("case_id <> linked_case_id", name="ck_case_links_not_itself"),
        sa.Index("ix_case_links_linked_case_id", "linked_case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    linked_case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    created_by: Mapped[str] = mapped_column(sa.String(100))


# The duplicate candidates' prefilter: equality on subtype and result, a range on latitude (then longitude and the
# exact distance on the few rows left).
DUPLICATE_CANDIDATES_INDEX = sa.Index("ix_case_facts_subtype_result_lat", CaseFactRecord.subtype,
                                      CaseFactRecord.result, CaseFactRecord.lat)
