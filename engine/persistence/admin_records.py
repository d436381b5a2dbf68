"""Records the admin pages keep (migration 0024): every admin change with its before and after, and what an
admin disabled (departments, subtypes, users) — kept beside the catalogue so a catalogue load keeps them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class AdminChangeRecord(Base):
    """One change an admin made (the page, the API or the CLI: one command each): the object's ``kind``
    (department, subtype, user, routing…) and ``key``, what it was and became (JSON, null when it did not exist
    or was not kept), who, when and why. An object's rows in id order are its versions."""

    __tablename__ = "admin_changes"
    __table_args__ = (sa.Index("ix_admin_changes_kind_key", "kind", "key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    key: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(30))
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)
    actor: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime] = mapped_column(TS)
    comment: Mapped[str] = mapped_column(sa.Text)


class DisabledEntryRecord(Base):
    """A department, subtype or user an admin disabled (``kind``, ``key``): a disabled user cannot sign in, a
    disabled subtype cannot be reported, a disabled department is refused as a routing target and left out of the
    admin pages' choices; enabling deletes the row."""

    __tablename__ = "disabled_entries"

    kind: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    disabled_at: Mapped[datetime] = mapped_column(TS)
    disabled_by: Mapped[str] = mapped_column(sa.String(100))
