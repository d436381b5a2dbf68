"""The auditor's pages: a case finder (``/audit``) and a case's replay on its diagram (``/audit/cases/<no>``).

The replay page renders the timeline here; ``replay.js`` fetches ``/api/v1/cases/<no>/replay`` for the
BPMN and the frames, and steps through them.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from city.history.cases import case_by_no
from engine.domain.city_zone import city_zone
from engine.domain.summary import may_be_case_no
from engine.service.audit.queries import audit_cases
from engine.service.process_starts import process_names
from engine.service.queries import case_events
from web.api.audit import filter_from
from web.context import deps
from web.pages.catalog import departments, subtype_names
from web.pages.common import bp, signed_in
from web.pages.labels import EVENTS, LIGHTS, STEPS, label
from web.policy import READ_AUDIT

# Event types newer than the case page's labels (web/pages/labels.py names the older ones).
AUDIT_EVENTS = {**EVENTS, "data_changed": _l("数据变更"), "deadline_set": _l("设定时限"),
                "deadline_moved": _l("时限变更"), "extension_granted": _l("批准延期"),
                "case_suspended": _l("挂账"), "case_resumed": _l("恢复处置"), "case_closed": _l("结案"),
                "case_voided": _l("作废")}
ACTOR_KINDS = {"person": _l("人员"), "scheduler": _l("定时任务"), "api_client": _l("接口客户端"),
               "vision_worker": _l("视频识别"), "system": _l("系统")}
FLAGS = ("overdue", "reworked", "returned")


def _filters() -> dict[str, str]:
    """The finder's query parameters as given (empty ones and the language left out)."""
    return {k: v for k, v in request.args.items() if k != "lang" and v.strip() != ""}


def _page_url(given: dict[str, str], page: int) -> str:
    """The finder's address for another page of the same query."""
    values: dict[str, Any] = {**given, "page": str(page)}  # Any: url_for's keywords include _external (a bool)
    return url_for("pages.audit_cases_page", **values)


def _errors(exc: ValidationError) -> dict[str, str]:
    """The first message of each field at fault."""
    return {str(k): str(v[0]) if isinstance(v, list) and v else str(v) for k, v in exc.normalized_messages().items()}


@bp.get("/audit")
@signed_in(READ_AUDIT)
def audit_cases_page() -> ResponseReturnValue:
    """Find cases of every process to audit: process, department, subtype, overdue, reworked, returned, start
    period; newest first."""
    given = _filters()
    try:
        found = audit_cases(deps(), filter_from(given))
        errors: dict[str, str] = {}
    except ValidationError as exc:
        found, errors = {"cases": [], "total": 0, "page": 1, "per_page": 50, "pages": 1}, _errors(exc)
    pages = {n: _page_url(given, n) for n in (found["page"] - 1, found["page"] + 1) if 1 <= n <= found["pages"]}
    return render_template("audit_cases.html", found=found, filters=given, errors=errors, pages=pages,
                           departments=departments(deps()), subtypes=subtype_names(deps()),
                           processes=process_names(deps()), flags=FLAGS), 400 if errors else 200


def _timeline(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"seq": e["seq"], "occurred_at": e["occurred_at"], "actor": e["actor"],
             "what": label(AUDIT_EVENTS, e["event_type"]),
             "step": label(STEPS, e["bpmn_id"]) if e["bpmn_id"] else None} for e in events]


def replay_texts() -> dict[str, Any]:
    """What replay.js shows in the page's language: lights, kinds of actors, event and step names."""
    return {"lights": {k: str(v) for k, v in LIGHTS.items()}, "kinds": {k: str(v) for k, v in ACTOR_KINDS.items()},
            "events": {k: str(v) for k, v in AUDIT_EVENTS.items()}, "steps": {k: str(v) for k, v in STEPS.items()},
            "verified": _("已验证"), "diverged": _("发现不一致"), "verifying": _("验证中…"),
            "play": _("播放"), "pause": _("暂停"), "none": "—", "failed": _("验证失败"),
            "divergence": {"seq": _("事件序号"), "event_type": _("事件"), "field": _("字段"),
                           "expected": _("应为"), "found": _("实际"), "reason": _("原因")}}


@bp.get("/audit/cases/<case_no>")
@signed_in(READ_AUDIT)
def replay_page(case_no: str) -> ResponseReturnValue:
    """A case's history step by step on the diagram of its process version."""
    case = case_by_no(deps(), case_no, deps().clock.now()) if may_be_case_no(case_no) else None
    if case is None:
        abort(404)
    return render_template("replay.html", case=case, timeline=_timeline(case_events(deps(), case["id"])),
                           texts=replay_texts(), subtypes=subtype_names(deps()), zone=city_zone().key)
