"""Telling a citizen their report's new stage, by the channel they chose."""

from __future__ import annotations

from city.public.stage import StageChange
from engine.persistence.uow import UnitOfWork


def stage_changed(uow: UnitOfWork, change: StageChange) -> None:
    """Placeholder: the citizens' package fills it."""
