"""Case facts: one flat row per case for evaluation and analysis (KPIs, rankings, heat maps).

Live cases get theirs from the case data at every step (the lifecycle's well-known fields, see
``engine.domain.summary``) plus who completed the tasks whose milestone is 核实, 派遣 or 核查 (declared in
the model, ``engine.domain.milestones``); imported history gets the same row from its CSV line. KPIs are
computed from these rows, never from ad-hoc counters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from engine.domain import events as ev
from engine.domain.city_zone import city_zone
from engine.domain.milestones import ROLES, Milestones
from engine.domain.summary import _moment, _number, _section, _text
from engine.domain.views import StepRecord

COUNTERS = ("reworks", "returns", "extensions", "suspensions", "overdue", "wrong_dispatches")


@dataclass(frozen=True)
class CaseFacts:
    """What evaluation needs of one case. Times are aware datetimes; ``month`` is yyyy-mm in the city's zone."""

    reported_at: datetime
    channel: str | None = None
    subtype: str | None = None
    district: str | None = None
    resp_grid: str | None = None
    unit_grid: str | None = None
    lon: float | None = None
    lat: float | None = None
    department: str | None = None
    returned_by: str | None = None  # the department that sent it back (回退) last time; None if never returned
    reporter: str | None = None
    verified_at: datetime | None = None
    filed_at: datetime | None = None
    dispatched_at: datetime | None = None
    disposed_at: datetime | None = None
    checked_at: datetime | None = None
    closed_at: datetime | None = None
    due_at: datetime | None = None
    result: str = "open"  # open | closed | voided
    void_reason: str | None = None
    close_type: str | None = None
    closed_on_time: bool | None = None
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def month(self) -> str:
        return f"{self.reported_at.astimezone(city_zone()):%Y-%m}"

    @property
    def day(self) -> str:
        return f"{self.reported_at.astimezone(city_zone()):%Y-%m-%d}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _counters(data: dict[str, Any]) -> dict[str, int]:
    raw = _section(data, "counters")
    return {name: value for name in COUNTERS if isinstance(value := raw.get(name), int) and not isinstance(value, bool)}


def case_facts(data: dict[str, Any]) -> CaseFacts | None:
    """The facts in a case's data; None until the case has been registered (no ``reported_at``)."""
    reported_at = _moment(data.get("reported_at"))
    if reported_at is None:
        return None
    report = _section(data, "report")
    location = _section(report, "location")
    evaluation = _section(data, "evaluation")
    filing = _section(data, "filing")
    returned = _section(data, "returned")
    result: str = evaluation["result"] if evaluation.get("result") in ("closed", "voided") else "open"
    on_time = evaluation.get("on_time")
    return CaseFacts(
        reported_at=reported_at, channel=_text(report.get("channel")), subtype=_text(report.get("subtype")),
        district=_text(report.get("district")), resp_grid=_text(report.get("resp_grid")),
        unit_grid=_text(report.get("unit_grid")), lon=_number(location.get("lon")), lat=_number(location.get("lat")),
        department=_text(data.get("department")), returned_by=_text(returned.get("by")),
        reporter=_text(report.get("reporter")),
        verified_at=_moment(data.get("verified_at")), filed_at=_moment(data.get("decided_at")),
        dispatched_at=_moment(data.get("dispatched_at")),
        disposed_at=_moment(data.get("reported_disposal_at") or evaluation.get("disposed_at")),
        checked_at=_moment(data.get("checked_at")), closed_at=_moment(evaluation.get("closed_at")),
        due_at=_moment(data.get("due_at")), result=result,
        void_reason=_text(filing.get("void_reason")) if result == "voided" else None,
        close_type=_text(evaluation.get("close_type")), closed_on_time=on_time if isinstance(on_time, bool) else None,
        counters=_counters(data),
    )


def role_doers(records: Iterable[StepRecord], milestones: Milestones, actor: str) -> dict[str, str]:
    """Who the step makes the case's verifier, dispatcher or checker: ``actor``, for each completed task
    whose milestone (in the version's ``milestones``, BPMN id → milestone) has a role."""
    return {role: actor for record in records if record.event_type == ev.TASK_COMPLETED and record.bpmn_id
            for role in [ROLES.get(milestones.get(record.bpmn_id, ""))] if role}
