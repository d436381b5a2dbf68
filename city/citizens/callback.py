"""The 回访 (``citizen_callback``) finished: a step hook records its outcome on the citizen's rating, in the step's
transaction, whichever way the task was completed (API, page, command line).

- ``explained`` (已解释说明): the citizen is told the explanation;
- ``reopen`` (重新办理): a new lifecycle case on channel ``callback`` (回访重办) with the rated case's subtype, place,
  description + the note, and its photos as evidence; followed, the citizen's tracking link moved to it, the rating
  noting it; the citizen is told.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from city import commands as city_commands
from city.citizens import messages
from city.citizens.commands import CITIZEN_ACTOR
from city.citizens.settings import reach_settings
from city.intake.report import DESCRIPTION_CHARS, LIFECYCLE, report_payload
from city.persistence.read import citizens as reads
from city.persistence.repositories import public_stages
from city.persistence.repositories.citizen_reports import move_to_case, record_callback
from engine.domain import events as ev
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import start_cases_in
from engine.service.deps import Deps
from engine.service.step_hooks import StepWritten

TASK = "call_back_citizen"
CHANNEL = "callback"  # 回访重办
TOLD = {"explained": {"zh": "回访说明：{note}", "en": "Our callback: {note}"},
        "reopened": {"zh": "已重新办理，新编号 {case_no}。",  # the note is the staff's instruction: not told
                     "en": "It is being done again: new no. {case_no}."}}


def _finished(step: StepWritten) -> dict[str, Any] | None:
    """The callback form's answer when this step completed the 回访 task."""
    if not any(r.event_type == ev.TASK_COMPLETED and r.bpmn_id == TASK for r in step.records):
        return None
    callback = step.data.get("callback") if step.data else None
    if not isinstance(callback, dict) or callback.get("outcome") not in ("explained", "reopen"):
        return None
    return callback


def _reopen(uow: UnitOfWork, deps: Deps, step: StepWritten, rated_case_id: int, note: str) -> tuple[int, str]:
    """The new lifecycle case (回访重办) of the rated case: its id and number."""
    case = reads.public_case(uow.store, rated_case_id)
    assert case is not None  # a rated case has its summary
    report = reads.report_of_case(uow.store, rated_case_id)
    photos = [d for d in (report.extra.get("photos") if report else None) or [] if isinstance(d, str)]
    description = f"{case['description'] or ''}\n回访重办: {note}"[:DESCRIPTION_CHARS]
    problem = city_commands.ReportProblem(str(case["subtype_code"]), description, case["lon"], case["lat"], CHANNEL,
                                          step.actor, reporter=CITIZEN_ACTOR, evidence=tuple(photos))
    payload = report_payload(problem)
    payload["reopened_from"] = {"case_no": case["case_no"], "case_id": rated_case_id}
    (started,) = start_cases_in(uow, deps, LIFECYCLE, [payload], step.actor, step.now)
    for digest in photos:  # the photos open from the new case too (the bytes are stored once, by digest)
        found = uow.attachments.get(rated_case_id, digest) or (
            uow.attachments.get(report.first_case_id, digest) if report else None)
        if found is not None:
            uow.attachments.add(started.case_id, digest, found["filename"], found["content_type"], found["size"],
                                found["uploaded_by"], step.now)
    return started.case_id, started.case_no or ""


def callback_recorder(deps: Deps) -> Callable[[UnitOfWork, StepWritten], None]:
    """The step hook (see the module's docstring)."""

    def record_citizen_callback(uow: UnitOfWork, step: StepWritten) -> None:
        """A finished 回访: its outcome on the rating, a reopened case, the citizen told."""
        callback = _finished(step)
        if callback is None:
            return
        rating = reads.rating_of_callback(uow.store, step.case_id)
        report = None if rating is None else reads.report_by_id(uow.store, int(rating["report_id"]))
        if rating is None or report is None:
            return  # not a citizen's 回访 (a look-alike case)
        note = str(callback.get("note") or "").strip()
        if callback["outcome"] == "explained":
            record_callback(uow.store, int(rating["id"]), "explained", None)
            told, case_no = "explained", reads.case_no(uow.store, report.case_id) or ""
        else:
            new_id, case_no = _reopen(uow, deps, step, int(rating["case_id"]), note)
            public_stages.follow(uow.store, new_id, step.now)
            move_to_case(uow.store, report.id, new_id)
            record_callback(uow.store, int(rating["id"]), "reopened", new_id)
            told = "reopened"
        _tell(uow, report, told, case_no, note, step)

    return record_citizen_callback


def _tell(uow: UnitOfWork, report: reads.ReportRow, told: str, case_no: str, note: str, step: StepWritten) -> None:
    settings = reach_settings()  # never raises: a staff step must not fail over a citizens' setting
    to = messages.target(settings, report.updates, report.phone, report.email)
    if to is None:
        return
    locale = report.locale if report.locale in ("zh", "en") else "zh"
    stage = {"explained": {"zh": "回访", "en": "Callback"}, "reopened": {"zh": "已重新办理", "en": "Reopened"}}
    data = {"case_no": case_no, "stage": stage[told][locale], "link": settings.link(report.token),
            "message": TOLD[told][locale].format(note=note[:300], case_no=case_no)}
    messages.tell(uow, messages.UPDATE_KIND, to, data, locale=locale, now=step.now, case_id=step.case_id,
                  dedupe_key=f"citizen_callback:{step.case_id}")
