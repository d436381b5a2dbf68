"""Records of the audit anchors (checkpoints over every case's chain head) and of what the cameras saw."""

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


class VisionDetectionRecord(Base):
    """What the camera worker saw; a detection that raised an alert carries its rule and case."""

    __tablename__ = "vision_detections"
    __table_args__ = (
        sa.Index("ix_vision_detections_record_id", "record_id", unique=True),
        sa.Index("ix_vision_detections_camera_id", "camera_id", "observed_at"),
        sa.Index("ix_vision_detections_case_no", "case_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(sa.String(200))  # the worker's id: resending stores nothing twice
    camera_id: Mapped[str] = mapped_column(sa.String(60))
    observed_at: Mapped[datetime] = mapped_column(TS)
    class_name: Mapped[str] = mapped_column(sa.String(40))
    score: Mapped[float] = mapped_column(sa.Float)
    x1: Mapped[float] = mapped_column(sa.Float)
    y1: Mapped[float] = mapped_column(sa.Float)
    x2: Mapped[float] = mapped_column(sa.Float)
    y2: Mapped[float] = mapped_column(sa.Float)
    track_id: Mapped[int | None] = mapped_column()
    zone_id: Mapped[str | None] = mapped_column(sa.String(60))
    dwell_seconds: Mapped[float | None] = mapped_column(sa.Float)
    rule_id: Mapped[str | None] = mapped_column(sa.String(60))
    subtype: Mapped[str | None] = mapped_column(sa.String(10))
    case_no: Mapped[str | None] = mapped_column(sa.String(24))
    received_at: Mapped[datetime] = mapped_column(TS)
    received_by: Mapped[str] = mapped_column(sa.String(100))
