"""The decoration works' step hooks (室内装修工程), in the step's own transaction:

- ``keep_works_state``: a works case's step that moved ``works_state`` (registered → in_progress → finished, or
  cancelled) moves its row;
- ``inspection_opener(deps)``: an ``inspect_works`` completed with "waste piled without removal" (垃圾堆放未清运)
  starts a lifecycle case (subtype 0603 积存垃圾渣土, channel patrol, at the works' point, the photos as its
  evidence) and links it to the works. It is a hook, not a command of its own, so every way the task is completed
  (the task API, the task page, the command line) opens the case, in the inspection's transaction — as a campaign's
  finding starts its case (``engine.service.bulk_starts``); the inspection is in the works case's log already;
- ``link_nearby_case``: a new lifecycle case of waste (0603, 0804, 0809) within ``NEAR_M`` of a works in progress
  with no registered removal is linked to it, with a ``decoration_case_linked`` event in the works case's log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from city import commands as city_commands
from city.duplicates.candidates import bounding_box, distance_m
from city.intake.report import LIFECYCLE, report_payload
from city.persistence.read import decoration as reads
from city.persistence.repositories.decoration import DecorationStore
from engine.domain import events as ev
from engine.domain.city_zone import city_zone
from engine.domain.views import StepRecord
from engine.persistence.repositories.summaries import live_case_no
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import start_cases_in
from engine.service.deps import Deps
from engine.service.jobs import append_step
from engine.service.step_hooks import StepWritten

WASTE_SUBTYPES = frozenset({"0603", "0804", "0809"})  # 积存垃圾渣土, and the construction-waste subtypes
PILED_SUBTYPE = "0603"
INSPECTION_CHANNEL = "patrol"
NEAR_M = 100.0
PILED_REASON = "巡查发现装修垃圾堆放未清运 (inspection: waste piled without removal)"
NEAR_REASON = "装修工程{code}附近{metres:.0f}米，未登记清运 (within {metres:.0f} m of works {code} without a removal)"


def keep_works_state(uow: UnitOfWork, step: StepWritten) -> None:
    """The works' row follows its case's ``works_state``; other cases' steps cost a look at their data."""
    state = step.data.get("works_state") if step.data else None
    if state in reads.STATES and isinstance(step.data.get("works"), dict):
        uow.repository(DecorationStore).set_state(step.case_id, str(state), step.now)


def _piled(step: StepWritten) -> dict[str, Any] | None:
    """The inspection this step recorded when it found waste piled without removal, else None."""
    if not step.data or not any(r.event_type == ev.TASK_COMPLETED and r.bpmn_id == "inspect_works"
                                for r in step.records):
        return None
    last = step.data.get("last_inspection")
    return last if isinstance(last, dict) and last.get("result") == "piled" else None


def _inspection_payload(works: dict[str, Any], inspection: dict[str, Any], actor: str) -> dict[str, Any]:
    place = works.get("compound_name") or works["address"]
    note = f"：{inspection['note']}" if inspection.get("note") else ""
    report = city_commands.ReportProblem(
        PILED_SUBTYPE, f"装修工程{works['code']}（{place}）巡查发现装修垃圾堆放未清运{note}", works["lon"],
        works["lat"], INSPECTION_CHANNEL, actor, evidence=tuple(inspection.get("photos") or ()))
    payload = report_payload(report)
    payload["decoration"] = {"works_code": works["code"], "inspection_round": inspection.get("round")}
    return payload


def inspection_opener(deps: Deps) -> Callable[[UnitOfWork, StepWritten], None]:
    """The step hook opening a case for waste piled without removal (see the module's docstring)."""

    def open_inspection_case(uow: UnitOfWork, step: StepWritten) -> None:
        """An inspection that found waste piled: a lifecycle case at the works, linked to it."""
        inspection = _piled(step)
        if inspection is None:
            return
        works = reads.works_by_case(uow.store, step.case_id)
        if works is None:
            return  # a works case started by hand, with no row: nothing to link
        (started,) = start_cases_in(uow, deps, LIFECYCLE, [_inspection_payload(works, inspection, step.actor)],
                                    step.actor, step.now)
        uow.repository(DecorationStore).link_case(works["id"], started.case_id, PILED_REASON, step.now)
        _share_photos(uow, step.case_id, started.case_id, inspection.get("photos") or [], step)

    return open_inspection_case


def _share_photos(uow: UnitOfWork, works_case_id: int, case_id: int, photos: list[Any], step: StepWritten) -> None:
    """The inspection's photos (uploads of the works case) recorded as the new case's attachments too, so its
    evidence opens from it (the bytes are stored once, by digest)."""
    attachments = uow.attachments
    for digest in photos:
        found = attachments.get(works_case_id, digest) if isinstance(digest, str) else None
        if found is not None:
            attachments.add(case_id, digest, found["filename"], found["content_type"], found["size"],
                            found["uploaded_by"], step.now)


def _new_waste_case(step: StepWritten) -> tuple[str, float, float] | None:
    """(subtype, lon, lat) of a lifecycle case this step started for waste, not by a works' inspection."""
    if not step.data or "decoration" in step.data or not any(r.event_type == ev.CASE_STARTED for r in step.records):
        return None
    report = step.data.get("report")
    if not isinstance(report, dict) or report.get("subtype") not in WASTE_SUBTYPES:
        return None
    where = report.get("location")
    lon, lat = (where.get("lon"), where.get("lat")) if isinstance(where, dict) else (None, None)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return None
    return str(report["subtype"]), float(lon), float(lat)  # type: ignore[arg-type]


def _record_link(uow: UnitOfWork, works: dict[str, Any], case_no: str | None, subtype: str, reason: str,
                 metres: float, step: StepWritten) -> None:
    """The ``decoration_case_linked`` event in the works case's log (a step of its own, no workflow step)."""
    case = uow.store.lock_case(works["case_id"])
    if case.updated_at is not None and case.updated_at > step.now:
        return  # the works case's log is ahead of this step's clock: the link row stands, its log is not rewound
    record = StepRecord(ev.DECORATION_CASE_LINKED, data={"case_no": case_no, "subtype": subtype, "reason": reason,
                                                         "distance_m": round(metres, 1)})
    # the works case's version moves on: a cached workflow of the old version is simply not taken again
    append_step(uow, case, record, step.actor, step.now, ev.LINK_DECORATION_CASE_COMMAND, None)


def link_nearby_case(uow: UnitOfWork, step: StepWritten) -> None:
    """A new waste case near a works in progress without a registered removal: linked, and told in its log."""
    found = _new_waste_case(step)
    if found is None:
        return
    subtype, lon, lat = found
    near = [(w, distance_m(lon, lat, w["lon"], w["lat"]))
            for w in reads.works_without_removal_near(uow.store, bounding_box(lon, lat, NEAR_M),
                                                      step.now.astimezone(city_zone()).date())]
    near = [(w, metres) for w, metres in near if metres <= NEAR_M]
    if not near:
        return
    case_no = live_case_no(uow.store, step.case_id)
    repo = uow.repository(DecorationStore)
    for works, metres in near:
        reason = NEAR_REASON.format(code=works["code"], metres=metres)
        if repo.link_case(works["id"], step.case_id, reason, step.now):
            _record_link(uow, works, case_no, subtype, reason, metres, step)
