"""A lifecycle case's public stage: what a citizen's status page, an Open311 app, a sender system (12345) and the
upper-level platform are told, from the case's facts (``city.facts.model.CaseFacts``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from city.facts.model import CaseFacts

RECEIVED, FILED, DISPATCHED, DISPOSED = "received", "filed", "dispatched", "disposed"
CLOSED, VOIDED = "closed", "voided"
STAGES = (RECEIVED, FILED, DISPATCHED, DISPOSED, CLOSED, VOIDED)
ENDED = (CLOSED, VOIDED)
# 中文, English: what the public reads
LABELS: dict[str, tuple[str, str]] = {
    RECEIVED: ("已受理，待核实", "Received, to be verified"),
    FILED: ("已立案", "Accepted as a case"),
    DISPATCHED: ("已派遣，处置中", "Dispatched, being fixed"),
    DISPOSED: ("已处置，待核查", "Fixed, to be checked on site"),
    CLOSED: ("已结案", "Closed"),
    VOIDED: ("不予立案", "Not accepted"),
}


def public_stage(facts: CaseFacts) -> str:
    """The stage the facts show: ended (closed or voided), else the furthest step reached — a disposal sent back
    for rework (返工: checked after it was reported) is dispatched again."""
    if facts.result == "voided":
        return VOIDED
    if facts.result == "closed":
        return CLOSED
    if facts.disposed_at is not None and (facts.checked_at is None or facts.checked_at <= facts.disposed_at):
        return DISPOSED
    if facts.dispatched_at is not None:
        return DISPATCHED
    if facts.filed_at is not None:
        return FILED
    return RECEIVED


def stage_label(stage: str, locale: str = "zh") -> str:
    """The stage in the reader's language (an unknown stage as itself)."""
    zh, en = LABELS.get(stage, (stage, stage))
    return en if locale == "en" else zh


@dataclass(frozen=True)
class StageChange:
    """A followed case reached a new public stage in a step (``city.public.changes``)."""

    case_id: int
    previous: str
    stage: str
    facts: CaseFacts
    data: dict[str, Any]
    now: datetime
