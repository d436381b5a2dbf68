"""A case's page for the people who work it (the public follow a case by its token: ``web.citizens.tracking``)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.history.cases import case_by_no
from engine.domain.milestones import HISTORY_STEPS
from engine.domain.summary import may_be_case_no
from engine.service.attachments import attachments_of
from engine.service.queries import case_events
from engine.service.supervision import case_supervisions
from web.api.access import case_visible
from web.api.notifications import delivery_log
from web.connectors.case_panel import transfer_panel
from web.context import deps
from web.pages.catalog import case_data, department_names, subtype_names
from web.pages.common import bp, me, signed_in
from web.pages.duplicates import case_links_panel
from web.pages.enforcement_transfer import enforcement_panel
from web.pages.labels import RESULTS, STATUSES, label
from web.pages.process_view import data_rows, is_lifecycle, process_of


def _case_or_404(case_no: str) -> dict[str, Any]:
    case = case_by_no(deps(), case_no, deps().clock.now()) if may_be_case_no(case_no) else None
    if case is None:
        abort(404)
    return case


def stage(case: dict[str, Any]) -> str:
    """Where the case is: its open steps, or how it ended."""
    if case["status"] == "completed":
        result = (case.get("evaluation") or {}).get("result")
        return label(RESULTS, result) if result in RESULTS else label(STATUSES, case["status"])
    steps = sorted({t.get("name") or t["bpmn_id"] for t in case["tasks"]})  # the model's names, as task lists show
    return "、".join(steps) if steps else _("处理中")


@bp.get("/cases/<case_no>")
@signed_in()
def case_page(case_no: str) -> ResponseReturnValue:
    """Status, light, departments, counters, timeline, evidence and place of a case."""
    case = _case_or_404(case_no)
    if not case_visible(me(), case):  # its starter too: the start page leads here
        abort(404)
    if not is_lifecycle(case):
        return _process_case_page(case)
    if case.get("source") == "history":  # imported: read-only facts, no process, events or evidence
        return render_template("case.html", case=case, data={}, report={}, events=[], evidence=[],
                               stage=stage(case), subtypes=subtype_names(deps()),
                               department_names=department_names(deps()), history=HISTORY_STEPS)
    data = case_data(deps(), case)
    evidence = [{**a, "url": url_for("api_cases.download", case_no=case_no, digest=a["sha256"])}
                for a in attachments_of(deps(), case["id"])]
    report = data.get("report") if isinstance(data.get("report"), dict) else {}
    return render_template("case.html", case=case, data=data, report=report, events=case_events(deps(), case["id"]),
                           evidence=evidence, stage=stage(case), subtypes=subtype_names(deps()),
                           department_names=department_names(deps()), deliveries=delivery_log(case["id"]),
                           supervisions=case_supervisions(deps(), case_no),  # 督办 of this case
                           links=case_links_panel(case),  # 重复 duplicates linked both ways
                           enforcement=enforcement_panel(case),  # 转执法: its enforcement cases, the button
                           hotline_transfer=transfer_panel(case))  # 12345 转办: the sender, their deadline, pushes


def _process_case_page(case: dict[str, Any]) -> ResponseReturnValue:
    """A case of any process but the lifecycle: its number, process, status, start, data, ready tasks, events."""
    data = case_data(deps(), case)
    evidence = [{**a, "url": url_for("api_cases.download", case_no=case["case_no"], digest=a["sha256"])}
                for a in attachments_of(deps(), case["id"])]
    return render_template("case_process.html", case=case, process=process_of(deps(), case), rows=data_rows(data),
                           events=case_events(deps(), case["id"]), evidence=evidence, stage=stage(case))
