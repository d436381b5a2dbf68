"""Telling a citizen their report's new stage, by the channel they chose (``city.public.changes`` calls it for
every stage change of a followed case, in the step's transaction)."""

from __future__ import annotations

from city.citizens import messages
from city.citizens.settings import reach_settings
from city.persistence.read import citizens as reads
from city.public.stage import StageChange, stage_label
from engine.persistence.uow import UnitOfWork

TEXT = {"zh": "感谢您的耐心。", "en": "Thank you for your patience."}
CLOSED_TEXT = {"zh": "请在进度页对办理结果进行评价。", "en": "Please rate the result on the status page."}


def stage_changed(uow: UnitOfWork, change: StageChange) -> None:
    """Send ``citizen_update`` (the stage in the citizen's language, the link) when the case is a citizen's with
    updates wanted; once per (case, stage). Other cases cost one indexed look-up."""
    report = reads.report_of_case(uow.store, change.case_id)
    if report is None or report.updates == "none":
        return
    settings = reach_settings()  # never raises: a staff step must not fail over a citizens' setting
    to = messages.target(settings, report.updates, report.phone, report.email)
    if to is None:
        return
    locale = report.locale if report.locale in ("zh", "en") else "zh"
    summary = reads.case_no(uow.store, change.case_id) or ""
    text = CLOSED_TEXT if change.stage == "closed" else TEXT
    data = {"case_no": summary, "stage": stage_label(change.stage, locale), "link": settings.link(report.token),
            "message": text[locale]}
    messages.tell(uow, messages.UPDATE_KIND, to, data, locale=locale, now=change.now, case_id=change.case_id,
                  dedupe_key=f"citizen_update:{change.case_id}:{change.stage}")
