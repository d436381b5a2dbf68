"""The public stage last told of each followed case (``public_stages``): a citizen's report, another system's order."""

from __future__ import annotations

from datetime import datetime

from engine.persistence.repositories.cases import CaseStore

# city.public.stage.public_stage over the stored facts row, for the stage a case has when it starts being followed
_STAGE_OF_FACTS = (
    "SELECT CASE WHEN result = 'voided' THEN 'voided' WHEN result = 'closed' THEN 'closed'"
    " WHEN disposed_at IS NOT NULL AND (checked_at IS NULL OR checked_at <= disposed_at) THEN 'disposed'"
    " WHEN dispatched_at IS NOT NULL THEN 'dispatched' WHEN filed_at IS NOT NULL THEN 'filed' ELSE 'received' END"
    " FROM case_facts WHERE case_id = ? AND source = 'live'")


def followed_stage(store: CaseStore, case_id: int) -> str | None:
    """The stage last told of ``case_id``; None when no one outside follows it."""
    row = store._execute("SELECT stage FROM public_stages WHERE case_id = ?", (case_id,)).fetchone()
    return None if row is None else str(row[0])


def follow(store: CaseStore, case_id: int, now: datetime) -> str:
    """Start following ``case_id`` (in the transaction that started it, or that took it in): its stage now, from
    its facts ('received' before it has any); a case already followed keeps its row."""
    known = followed_stage(store, case_id)
    if known is not None:
        return known
    row = store._execute(_STAGE_OF_FACTS, (case_id,)).fetchone()
    stage = "received" if row is None else str(row[0])
    store._execute("INSERT INTO public_stages (case_id, stage, changed_at) VALUES (?, ?, ?)",
                   (case_id, stage, store.dialect.stamp(now)))
    return stage


def set_stage(store: CaseStore, case_id: int, stage: str, now: datetime) -> None:
    """Record that ``stage`` was told of ``case_id``."""
    store._execute("UPDATE public_stages SET stage = ?, changed_at = ? WHERE case_id = ?",
                   (stage, store.dialect.stamp(now), case_id))
