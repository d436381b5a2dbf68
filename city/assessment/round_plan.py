"""An assessment round's period and plan (考评轮次): garbage sorting is assessed monthly (``2027-01``), property
quarterly (``2027-Q1``), each period in the city's time zone, due at the next period's first moment, the teams
warned at 80 %. The plan says whether a round is needed now — the model (``assessment_round_plan``) and the hand
start (``StartAssessmentRound``) ask the same question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from city.assessment.round_payload import round_warn_at
from city.assessment.standings import MONTHS_PER_PERIOD
from city.persistence.read import assessment_rounds as round_reads
from city.persistence.read.assessment_registry import newest_checklist
from engine.domain.city_zone import city_zone
from engine.persistence.assessment_records import SCHEMES as SCHEMES  # re-exported: the schemes the tables hold
from engine.persistence.repositories.cases import CaseStore

NOT_NEEDED_EXISTS = "exists"  # the period's round was started already
NOT_NEEDED_NO_OBJECTS = "no_objects"  # the scheme has no active object
NOT_NEEDED_NO_CHECKLIST = "no_checklist"  # no checklist of the scheme was loaded
# A round started late in its period (by hand on Dec 31 23:50) is due no sooner than this after its start: its
# inspections would otherwise be overdue, each with a 督办, minutes after they were handed out.
MIN_ROUND_TIME = timedelta(days=3)


@dataclass(frozen=True)
class RoundPeriod:
    """A scheme's period: its label and [starts_at, due_at) in the city's zone."""

    label: str
    starts_at: datetime
    due_at: datetime


def period_of(scheme: str, now: datetime) -> RoundPeriod:
    """The period of ``scheme`` holding ``now`` (ValueError for an unknown scheme)."""
    if scheme not in MONTHS_PER_PERIOD:
        raise ValueError(f"unknown assessment scheme {scheme!r} (garbage_sorting or property)")
    months = MONTHS_PER_PERIOD[scheme]
    zone = city_zone()
    local = now.astimezone(zone)
    first_month = (local.month - 1) // months * months + 1
    starts_at = datetime(local.year, first_month, 1, tzinfo=zone)
    year, month = divmod(first_month - 1 + months, 12)
    due_at = datetime(local.year + year, month + 1, 1, tzinfo=zone)
    label = f"{local.year}-{local.month:02d}" if months == 1 else f"{local.year}-Q{(first_month - 1) // 3 + 1}"
    return RoundPeriod(label, starts_at, due_at)


def round_due_at(period: RoundPeriod, now: datetime) -> datetime:
    """The round's due time: the period's end, but at least ``MIN_ROUND_TIME`` after ``now`` (its start)."""
    return max(period.due_at, now + MIN_ROUND_TIME)


def kinds_with_items(items: list[dict[str, Any]]) -> set[str] | None:
    """The object kinds the checklist's ``items`` inspect (None: every kind — an item without ``kinds`` applies to
    all of its scheme's)."""
    if any(not item.get("kinds") for item in items):
        return None
    return {str(kind) for item in items for kind in item["kinds"]}


def round_plan(store: CaseStore, scheme: str, now: datetime) -> dict[str, Any]:
    """``{scheme, period, starts_at, due_at, warn_at, exists, objects, checklist_version, not_needed_reason}``
    (times as ISO strings; ``objects``: the active objects whose kind has an item in the checklist, all of them
    without one; ``checklist_version`` None: none loaded; ``not_needed_reason`` None when the round is needed),
    read in ``store``'s transaction."""
    period = period_of(scheme, now)
    exists = round_reads.round_for_period(store, scheme, period.label) is not None
    checklist = newest_checklist(store, scheme)
    objects = round_reads.active_object_count(store, scheme, None if checklist is None else kinds_with_items(
        checklist["items"]))
    version = None if checklist is None else int(checklist["version"])
    reason = (NOT_NEEDED_EXISTS if exists else NOT_NEEDED_NO_OBJECTS if objects == 0
              else NOT_NEEDED_NO_CHECKLIST if version is None else None)
    due_at = round_due_at(period, now)
    return {"scheme": scheme, "period": period.label, "starts_at": period.starts_at.isoformat(),
            "due_at": due_at.isoformat(), "warn_at": round_warn_at(period.starts_at, due_at, now).isoformat(),
            "exists": exists, "objects": objects, "checklist_version": version, "not_needed_reason": reason}
