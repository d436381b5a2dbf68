"""The duty calendar: its command handler (``LoadDutyCalendar``), the per-process cache that working time reads,
and what the CLI, the API and the admin page show.

The cache (``DutyCalendarCache``, attached to the engine's ``WorkingTime`` by ``bootstrap_engine``) reads the
stored versions once, again right after this process loaded a version, and otherwise at most every
``REFRESH`` of the clock (outside a command only: a step never waits for it), so a version loaded by another
process (the command line) is in force everywhere within a minute.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from engine.domain.calendar_commands import LoadDutyCalendar
from engine.domain.duty_calendar import DutyCalendar, DutyVersion, calendar_of, parse_version, parse_versions
from engine.domain.errors import InvalidCommand
from engine.persistence.read import calendars as read
from engine.persistence.repositories.calendars import DutyCalendarStore
from engine.persistence.uow import in_command
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

log = logging.getLogger(__name__)
MAX_BYTES = 200_000
REFRESH = timedelta(seconds=60)


@dataclass(frozen=True)
class CalendarLoaded:
    """The outcome of ``LoadDutyCalendar``: the ids of the versions added, and how many were already stored."""

    added: tuple[int, ...]
    unchanged: int


class DutyCalendarCache:
    """The duty calendar in force, read from the database and kept per process (``DutySource``)."""

    def __init__(self, deps: Deps, refresh: timedelta = REFRESH) -> None:
        self._deps, self._refresh = deps, refresh
        self._lock = threading.Lock()
        self._calendar: DutyCalendar | None = None
        self._newest: int | None = None
        self._read_at: datetime | None = None  # None: never read, or invalidated

    def current(self) -> DutyCalendar | None:
        """The calendar (None: no version loaded); re-read when stale, never inside a command once read."""
        read_at = self._read_at
        if read_at is not None and (in_command() or self._deps.clock.now() - read_at < self._refresh):
            return self._calendar
        with self._lock:
            if self._read_at is read_at:  # no other thread has just read it
                self._reload()
        return self._calendar

    def invalidate(self) -> None:
        """Read the versions again on the next use (this process just loaded one)."""
        self._read_at = None

    def _reload(self) -> None:
        now = self._deps.clock.now()
        try:
            with self._deps.uow(read_only=True) as uow:
                newest = read.newest_id(uow.store)
                rows = read.versions(uow.store) if newest != self._newest or self._read_at is None else None
        except Exception as exc:  # an unmigrated or unreachable database: keep what was read, try again later
            log.warning("duty calendar not read (%s): keeping the calendar read before", exc)
            self._read_at = now
            return
        if rows is not None:
            # two refreshes after the load: a cache read just before the load committed is at most one refresh
            # old when it re-reads, with a refresh to spare for the commit's lag and the hosts' clocks
            self._calendar = calendar_of([replace(parse_version(json.loads(r.content)),
                                                  known_from=r.loaded_at + 2 * self._refresh) for r in rows])
            self._newest = newest
        self._read_at = now


def attach_duty_calendar(deps: Deps) -> None:
    """Give the engine's working time (the one scripts' ``deadline()`` uses) the per-process calendar cache."""
    if deps.working_time is not None:
        deps.working_time.duty = DutyCalendarCache(deps)


def canonical(version: DutyVersion) -> str:
    """A version as stored: canonical JSON of the file format."""
    return json.dumps(version.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def load_duty_calendar(cmd: LoadDutyCalendar, ctx: HandlerContext) -> CalendarLoaded:
    """Check every version of the file, then store those not stored yet, in one transaction."""
    deps: Deps = ctx.deps
    if len(cmd.content.encode()) > MAX_BYTES:
        raise InvalidCommand(f"duty calendar: file larger than {MAX_BYTES} bytes", field="file")
    if not cmd.actor.strip() or len(cmd.actor) > 100:
        raise InvalidCommand("actor must be 1–100 characters", field="actor")
    if len(cmd.comment) > 500:
        raise InvalidCommand("comment must be at most 500 characters", field="comment")
    versions = parse_versions(cmd.content)
    now, added = deps.clock.now(), []
    with deps.uow() as uow:
        store = uow.repository(DutyCalendarStore)
        for version in versions:
            content = canonical(version)
            sha = hashlib.sha256(content.encode()).hexdigest()
            if not store.has(version.effective_from, sha):
                added.append(store.add(version.effective_from, content, sha, now, cmd.actor,
                                       cmd.comment or version.comment))
    cache = deps.working_time.duty if deps.working_time is not None else None
    if isinstance(cache, DutyCalendarCache):
        cache.invalidate()
    return CalendarLoaded(tuple(added), len(versions) - len(added))


def calendar_versions(deps: Deps, today: date) -> list[dict[str, Any]]:
    """Every stored version, newest loaded first, each with its content and whether it is in force ``today``."""
    with deps.uow(read_only=True) as uow:
        rows = read.versions(uow.store)
    parsed = [parse_version(json.loads(r.content)) for r in rows]
    calendar = calendar_of(parsed)
    in_force = calendar.version_on(today) if calendar is not None else None
    return [{"id": r.id, "effective_from": r.effective_from.isoformat(), "loaded_at": r.loaded_at.isoformat(),
             "loaded_by": r.loaded_by, "comment": r.comment, "in_force": v is in_force, **_content(v)}
            for r, v in reversed(list(zip(rows, parsed, strict=True)))]


def _content(version: DutyVersion) -> dict[str, Any]:
    body = version.to_dict()
    return {"seasons": body["seasons"], "round_the_clock_subtypes": body["round_the_clock_subtypes"]}


def has_calendar(deps: Deps) -> bool:
    """True when at least one version is stored."""
    with deps.uow(read_only=True) as uow:
        return read.newest_id(uow.store) is not None
