"""Records of signing in: the failed sign-ins the login throttle counts (``engine.service.throttle``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class LoginThrottleRecord(Base):
    """Failed sign-ins of one account or one client address, in the database so that every web process (and
    every machine behind the same database) counts them together."""

    __tablename__ = "login_throttle"
    __table_args__ = (sa.Index("ix_login_throttle_last_failure_at", "last_failure_at"),)

    scope: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # account | address
    subject: Mapped[str] = mapped_column(sa.String(200), primary_key=True)  # the username or the address
    failures: Mapped[int]
    window_start: Mapped[datetime] = mapped_column(TS)  # an address counts its failures from here
    last_failure_at: Mapped[datetime] = mapped_column(TS)
    blocked_until: Mapped[datetime | None] = mapped_column(TS)  # an account: no password is checked before
