"""Pushing a transferred work order's new stage back to its sender: signed, retried, logged."""

from __future__ import annotations

from city.public.stage import StageChange
from engine.persistence.uow import UnitOfWork


def stage_changed(uow: UnitOfWork, change: StageChange) -> None:
    """Placeholder: the connectors' package fills it."""
