"""The routing page (派遣规则 / Routing rules, ``/admin/routing``): the responsibility rules in force — which
departments each subtype routes to, the process version carrying them, a link to open them in the designer — and
"move a subtype's routing" (``MoveSubtypeRouting``: a new rules version, deployed as the designer deploys)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.admin import commands as ac
from city.admin import views
from web.context import deps
from web.pages.admin import bp, form, run
from web.pages.common import me, signed_in
from web.policy import MANAGE_CITY


@bp.get("/admin/routing")
@signed_in(MANAGE_CITY)
def routing_page() -> ResponseReturnValue:
    """The rules in force per subtype, the move form and the routing's change history."""
    departments = [d for d in views.departments(deps()) if not d["disabled"]]
    return render_template("admin/routing.html", routing=views.routing(deps()), subtypes=views.subtypes(deps()),
                           departments=departments, chosen=request.args.get("subtype", ""),
                           changes=views.history(deps(), "routing"))


@bp.post("/admin/routing")
@signed_in(MANAGE_CITY)
def move_routing() -> ResponseReturnValue:
    """Move the chosen subtype's routing to the chosen department and deploy the rules."""
    subtype = form("subtype_code")
    moved = run(ac.MoveSubtypeRouting(subtype, form("department"), me().username, form("comment")),
                _("已部署新的派遣规则版本"))
    if moved is not None and not moved["created"]:
        flash(_("规则未变：该小类已派往此部门"), "info")
    return redirect(url_for("admin_pages.routing_page", subtype=subtype))
