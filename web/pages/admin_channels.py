"""The channels page (受理渠道 / Channels, ``/admin/channels``): the channels reports arrive by, in order — add one,
rename it, mark it urgent (its reports are urgent whatever the subtype), disable it (refused for new reports) —
each an ``AddChannel`` or ``EditChannel`` command, as ``/api/v1/admin/channels``."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.admin import commands as ac
from city.admin import views
from web.context import deps
from web.pages.admin import bp, form, run
from web.pages.common import me, signed_in
from web.policy import MANAGE_CITY


@bp.get("/admin/channels")
@signed_in(MANAGE_CITY)
def channels_page() -> ResponseReturnValue:
    """Every channel with its edit form, the add form and the channels' changes."""
    return render_template("admin/channels.html", channels=views.channels(deps()),
                           changes=views.history(deps(), "channel"))


@bp.post("/admin/channels")
@signed_in(MANAGE_CITY)
def add_channel() -> ResponseReturnValue:
    """Add a channel (``AddChannel``)."""
    run(ac.AddChannel(form("code"), form("name_zh"), form("name_en"), me().username, form("urgent") == "on",
                      form("comment")), _("已添加渠道"))
    return redirect(url_for("admin_pages.channels_page"))


@bp.post("/admin/channels/<code>")
@signed_in(MANAGE_CITY)
def edit_channel(code: str) -> ResponseReturnValue:
    """Save a channel's names, urgency and state (``EditChannel``)."""
    run(ac.EditChannel(code, me().username, form("name_zh"), form("name_en"), form("urgent") == "on",
                       form("active") == "on", form("comment")), _("已保存"))
    return redirect(url_for("admin_pages.channels_page"))
