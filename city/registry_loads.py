"""What the registries' loads share (the transport registry's 渣土运输 and the assessment registry's 考评): who
may load, the load's rows split into new, changed and unchanged against the stored ones, and the write time that
always moves the registry's stamp."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from engine.domain.errors import NotAllowed
from engine.persistence.uow import UnitOfWork

Counts = dict[str, int]
Row = dict[str, Any]


def refuse_non_admins(uow: UnitOfWork, actor: str, what: str) -> None:
    """Only an enabled admin account may ``what`` (e.g. "load the transport registries"; NotAllowed: 403)."""
    found = uow.accounts.user(actor)
    if found is None or found[2] != "admin" or not uow.accounts.is_enabled(actor):
        raise NotAllowed(f"{actor} may not {what} (admins may)")


def split_rows(rows: list[Row], stored: dict[Any, Row], key: Callable[[Row], Any],
               same: Callable[[Row, Row], bool]) -> tuple[list[Row], list[Row], Counts]:
    """The load's rows that are new, and those that change a stored row (matched by ``key``); the counts."""
    new = [r for r in rows if key(r) not in stored]
    changed = [r for r in rows if key(r) in stored and not same(r, stored[key(r)])]
    return new, changed, {"inserted": len(new), "updated": len(changed),
                          "unchanged": len(rows) - len(new) - len(changed)}


def fields_equal(*names: str) -> Callable[[Row, Row], bool]:
    """Whether a row and its stored twin agree on ``names``."""
    return lambda row, old: all(row[n] == old[n] for n in names)


def write_time(now: datetime, latest: datetime | None) -> datetime:
    """The load's ``updated_at``: now, or just past the newest stored one (a clock that has not moved since the
    last load, as in tests, must still move the registry's stamp)."""
    return now if latest is None or now > latest else latest + timedelta(microseconds=1)
