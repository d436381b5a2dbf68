"""An open case's row of a legacy export (docs/history.md, "Open cases"): the step it waits at, its report, the
legacy times of the steps before, the step's deadline and who holds it.

The row's ``result`` names the step (reported 受理/核实, filing 立案, dispatch 派遣, disposal 处置, check 核查,
closing 结案); ``parse_open_row`` checks what can be checked on the row alone, each message naming the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from city.history.importer import CASE_NO, OPEN_STEPS, WIDTHS, Codes, RowError, _number, _time

STEPS = OPEN_STEPS
# The legacy time of the step that ends at each step index (the step before it: verified → filing, …).
STEP_TIMES = ("reported_at", "verified_at", "filed_at", "dispatched_at", "disposed_at", "checked_at")
URGENCIES = ("normal", "urgent")
PEOPLE = ("reporter", "verifier", "dispatcher", "checker")
DESCRIPTION_CHARS, ASSIGNEE_CHARS = 2000, 100


@dataclass(frozen=True)
class OpenCase:
    """One open legacy case, checked: ``times`` has every step time up to ``step`` (a missing one is the time of
    the step before), ``due_at`` the disposal deadline, ``step_due_at`` the waiting step's deadline."""

    line: int
    legacy_no: str
    step: str
    report: dict[str, Any]
    times: dict[str, datetime]
    department: str | None
    due_at: datetime | None
    step_due_at: datetime | None
    assignee: str | None
    history: dict[str, Any]

    @property
    def index(self) -> int:
        """The step's position in ``STEPS``."""
        return STEPS.index(self.step)


def _times(row: dict[str, str], index: int) -> dict[str, datetime]:
    """The step times up to ``index``, each at least the one before (a missing one takes the one before)."""
    times: dict[str, datetime] = {}
    previous: tuple[str, datetime] | None = None
    for name in STEP_TIMES[:index + 1]:
        moment = _time(name, row[name]) if row.get(name) else None
        if moment is None:
            if previous is None:
                raise RowError(f"{name}: missing")
            moment = previous[1]
        elif previous is not None and moment < previous[1]:
            raise RowError(f"{name}: before {previous[0]}")
        times[name] = moment
        previous = (name, moment)
    return times


def _deadline(row: dict[str, str], name: str, reported: datetime) -> datetime | None:
    moment = _time(name, row[name]) if row.get(name) else None
    if moment is not None and moment < reported:
        raise RowError(f"{name}: the deadline is before reported_at")
    return moment


def _deadlines(row: dict[str, str], step: str, reported: datetime) -> tuple[datetime | None, datetime | None]:
    """(due_at, step_due_at) as the case uses them. Before 派遣 a legacy due_at is dropped (not kept, not shown):
    gridcase's 派遣 sets the disposal deadline by the rules. At 处置 the waiting step's deadline is the disposal
    deadline: step_due_at stands for a missing due_at, and the two must agree."""
    due_at, step_due_at = _deadline(row, "due_at", reported), _deadline(row, "step_due_at", reported)
    index = STEPS.index(step)
    if index < STEPS.index("disposal"):
        return None, step_due_at
    if index == STEPS.index("disposal") and step_due_at is not None:
        if due_at is not None and due_at != step_due_at:
            raise RowError("step_due_at: at disposal (处置) the step's deadline is due_at; the two differ")
        return step_due_at, None
    return due_at, step_due_at


def _report(row: dict[str, str], legacy_no: str, codes: Codes) -> dict[str, Any]:
    channel, subtype = row.get("channel") or "", row.get("subtype") or ""
    if channel not in codes.channels:
        raise RowError(f"channel: unknown channel {channel!r} (the city's: {', '.join(sorted(codes.channels))})"
                       if channel else "channel: missing (an open case needs its report's channel)")
    if not subtype or (codes.subtypes and subtype not in codes.subtypes):
        raise RowError(f"subtype: unknown subtype {subtype!r}" if subtype else "subtype: missing")
    if not row.get("lon") or not row.get("lat"):
        raise RowError("lon, lat: missing (an open case needs its place)")
    description = row.get("description") or f"导入自原系统 {legacy_no}"
    if len(description) > DESCRIPTION_CHARS:
        raise RowError(f"description: longer than {DESCRIPTION_CHARS} characters")
    urgency = row.get("urgency") or "normal"
    if urgency not in URGENCIES:
        raise RowError(f"urgency: {urgency!r} is not normal or urgent")
    return {"channel": channel, "subtype": subtype, "description": description,
            "location": {"lon": _number("lon", row["lon"], -180, 180), "lat": _number("lat", row["lat"], -90, 90)},
            "evidence": [], "urgency": urgency, "reporter": row.get("reporter") or "import", "duplicate_of": None}


def parse_open_row(line: int, row: dict[str, str], now: datetime, codes: Codes | None = None,
                   departments: frozenset[str] = frozenset()) -> OpenCase:
    """The open case of one prepared row (``result`` one of ``STEPS``); ``RowError`` names the column.

    ``now``: the import's time (a legacy time after it is refused: a live case's steps never go back in time);
    ``codes``: the city's subtypes and channels; ``departments``: the catalogue's (empty: any is accepted).
    """
    legacy_no = row.get("case_no") or ""
    if not CASE_NO.fullmatch(legacy_no):
        raise RowError(f"case_no: {legacy_no!r} is not 1-24 letters, digits, - or _" if legacy_no
                       else "case_no: missing")
    step = row.get("result") or ""
    if step not in STEPS:
        raise RowError(f"result: {step!r} is not a step ({', '.join(STEPS)})")
    times = _times(row, STEPS.index(step))
    for name, moment in times.items():
        if moment > now:
            raise RowError(f"{name}: {moment.isoformat()} is after the import's time")
    reported = times["reported_at"]
    department = row.get("department") or None
    if department is not None and (len(department) > WIDTHS["department"]
                                   or (departments and department not in departments)):
        raise RowError(f"department: unknown department {department!r}")
    assignee = row.get("assignee") or None
    if assignee is not None and len(assignee) > ASSIGNEE_CHARS:
        raise RowError(f"assignee: longer than {ASSIGNEE_CHARS} characters")
    report = _report(row, legacy_no, codes or Codes())
    history = {name: moment.isoformat() for name, moment in times.items() if row.get(name)}
    history |= {name: row[name] for name in (*PEOPLE, "department") if row.get(name)}
    due_at, step_due_at = _deadlines(row, step, reported)
    if due_at is not None and "dispatched_at" in times and due_at <= times["dispatched_at"]:
        raise RowError("due_at: the disposal deadline is not after dispatched_at")
    history |= {name: moment.isoformat() for name, moment in (("due_at", due_at), ("step_due_at", step_due_at))
                if moment is not None}
    return OpenCase(line, legacy_no, step, report, times, department, due_at, step_due_at, assignee, history)
