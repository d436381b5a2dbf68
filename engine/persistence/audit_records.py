"""Records of the audit anchors: checkpoints that chain the heads of every case's event chain."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class AuditCheckpointRecord(Base):
    """One checkpoint: the hash over the previous checkpoint and the case heads that moved since it.

    Deleting or rewriting a whole case's history leaves a head here that no longer matches the log.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    cases: Mapped[int] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditCheckpointHeadRecord(Base):
    """A case's chain head (last sequence number and hash) as a checkpoint saw it."""

    __tablename__ = "audit_checkpoint_heads"
    __table_args__ = (sa.Index("ix_audit_checkpoint_heads_case_id", "case_id", "checkpoint_id"),)

    checkpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_checkpoints.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column()
    hash: Mapped[str] = mapped_column(sa.String(64))
