"""Vision detections: what the camera worker saw (camera, time, class, score, box, zone, dwell) and,
for the detections that raised an alert, the rule and the case — for analysis and rule precision.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vision_detections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.String(200), nullable=False),
        sa.Column("camera_id", sa.String(60), nullable=False),
        sa.Column("observed_at", TS, nullable=False),
        sa.Column("class_name", sa.String(40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("x2", sa.Float(), nullable=False),
        sa.Column("y2", sa.Float(), nullable=False),
        sa.Column("track_id", sa.Integer()),
        sa.Column("zone_id", sa.String(60)),
        sa.Column("dwell_seconds", sa.Float()),
        sa.Column("rule_id", sa.String(60)),
        sa.Column("subtype", sa.String(10)),
        sa.Column("case_no", sa.String(24)),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("received_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_vision_detections_record_id", "vision_detections", ["record_id"], unique=True)
    op.create_index("ix_vision_detections_camera_id", "vision_detections", ["camera_id", "observed_at"])
    op.create_index("ix_vision_detections_case_no", "vision_detections", ["case_no"])


def downgrade() -> None:
    op.drop_table("vision_detections")
