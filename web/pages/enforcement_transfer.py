"""转执法 on the case page: the panel (the case's enforcement cases, and a transfer form for who may) and the form's
route, which sends TransferToEnforcement — the API's and the command line's command — and lands on the case page
with the outcome."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.enforcement.commands import TransferToEnforcement
from city.enforcement.views import transfer_state
from engine.domain.errors import GridcaseError
from web.context import bus, deps
from web.pages.common import bp, me, signed_in
from web.policy import TRANSFER_TO_ENFORCEMENT, allows


def stage_name(stage: str) -> str:
    """The enforcement stage's name, Chinese first (the user's language through Babel)."""
    names = {"filing": _("立案审批"), "investigation": _("调查取证"), "notice": _("告知"), "decision": _("处罚决定"),
             "service": _("送达"), "execution": _("执行"), "closed": _("结案"), "refused": _("不予立案")}
    return str(names.get(stage, stage))


def enforcement_panel(case: dict[str, Any]) -> dict[str, Any] | None:
    """The case's enforcement cases and whether the signed-in person may transfer it; None when there is nothing to
    show (no enforcement case and no button)."""
    if case.get("id") is None:
        return None
    state = transfer_state(deps(), int(case["id"]), me())
    state["may_transfer"] = state["may_transfer"] and allows(me(), TRANSFER_TO_ENFORCEMENT)
    state["enforcements"] = [{**e, "stage_name": stage_name(e["stage"])} for e in state["enforcements"]]
    return state if state["enforcements"] or state["may_transfer"] else None


@bp.post("/cases/<case_no>/enforcement")
@signed_in()
def transfer_to_enforcement(case_no: str) -> ResponseReturnValue:
    """转执法 from the case page's form; a refusal is shown on the case page (nothing written)."""
    if not allows(me(), TRANSFER_TO_ENFORCEMENT):
        abort(403)
    reason = request.form.get("reason", "")
    try:
        result = bus().handle(TransferToEnforcement(case_no, reason, me().username, actor_kind=me().actor_kind))
    except GridcaseError as exc:
        flash(_("未能转执法：%(message)s", message=exc.message), "error")
        return redirect(url_for("pages.case_page", case_no=case_no))
    flash(_("已转执法：执法案件 %(case)s（%(team)s）", case=result["enforcement_case_no"], team=result["team"]),
          "success")
    return redirect(url_for("pages.case_page", case_no=case_no))
