"""The assessment rounds as the API, the pages and the command line show them (考评轮次): the round list with its
counts and one round with its counts by district and state and its overdue inspections, times as ISO text, each
read in one read-only unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.persistence.read import assessment_rounds as reads
from engine.domain.errors import NotFound
from engine.domain.forms import FieldsRejected
from engine.persistence.assessment_records import SCHEMES
from engine.persistence.db import iso_utc
from engine.service.deps import Deps


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its datetimes (and those of its lists' rows) as ISO text."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, datetime):
            value = iso_utc(value)
        elif isinstance(value, list):
            value = [_iso(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def round_list(deps: Deps, scheme: str | None = None) -> list[dict[str, Any]]:
    """The rounds, newest first (``scheme``: one scheme's; 422 naming ``scheme`` for an unknown one), with their
    counts: objects, inspected, open, overdue (not inspected past due, or rectifying with its re-inspection past its
    own due time), average score and pending (inspections whose case is not started yet)."""
    if scheme is not None and scheme not in SCHEMES:
        raise FieldsRejected({"scheme": f"unknown scheme {scheme!r} (garbage_sorting or property)"})
    with deps.uow(read_only=True) as uow:
        return [_iso(r) for r in reads.round_list(uow.store, deps.clock.now(), scheme)]


def one_round(deps: Deps, round_id: int) -> dict[str, Any]:
    """One round with its counts, ``by_district``, ``by_state`` and ``overdue_inspections`` (404 naming
    ``round_id``)."""
    with deps.uow(read_only=True) as uow:
        found = reads.one_round(uow.store, round_id, deps.clock.now())
    if found is None:
        raise NotFound(f"no assessment round {round_id}", field="round_id")
    return _iso(found)
