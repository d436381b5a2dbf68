"""The operations page (运维 · 故障 / Operations · Incidents): open incidents with retry and resolve (admins).

Each button sends one command (``RetryIncident``, ``ResolveIncident``), written into the case's audit log; the
same as ``POST /api/v1/incidents/{id}/retry`` and ``/resolve``.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain import jobs as j
from engine.domain.errors import GridcaseError
from engine.service.incidents import open_incidents
from web.context import bus, deps
from web.pages.common import bp, me, signed_in
from web.policy import OPERATE_INCIDENTS


@bp.get("/operations/incidents")
@signed_in(OPERATE_INCIDENTS)
def incidents_page() -> ResponseReturnValue:
    """Open incidents, newest first (``?all=1``: resolved ones too)."""
    show_all = request.args.get("all") in ("1", "true")
    found = open_incidents(deps(), include_resolved=show_all)
    return render_template("incidents.html", incidents=found, show_all=show_all)


@bp.post("/operations/incidents/<int:incident_id>")
@signed_in(OPERATE_INCIDENTS)
def act_on_incident(incident_id: int) -> ResponseReturnValue:
    """Retry (``action=retry``, ``retries``) or resolve (``action=resolve``, ``note`` required) one incident."""
    action, note = request.form.get("action", ""), request.form.get("note", "").strip()
    try:
        if action == "retry":
            retries = request.form.get("retries", "1").strip() or "1"
            if not (retries.isascii() and retries.isdigit()) or len(retries) > 4:
                raise GridcaseError(_("重试次数须为正整数"), field="retries")
            bus().handle(j.RetryIncident(incident_id, me().username, int(retries), note, actor_kind=me().actor_kind))
            flash(_("故障 %(id)s 已重试", id=incident_id), "success")
        elif action == "resolve":
            bus().handle(j.ResolveIncident(incident_id, me().username, note, actor_kind=me().actor_kind))
            flash(_("故障 %(id)s 已处理", id=incident_id), "success")
        else:
            flash(_("未知操作"), "error")
    except GridcaseError as exc:
        flash(f"{exc.field + ': ' if exc.field else ''}{exc.message}", "error")
    return redirect(url_for("pages.incidents_page"))
