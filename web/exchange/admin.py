"""The upper-level exchange's admin page (``/admin/exchange``; admins run, shift leads read): each active connector's
newest batches with their acknowledgement, and run-now buttons sending the same commands as the API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.exchange import views
from city.exchange.commands import ReadExchangeInbox, RunExchangeExport
from web.context import deps
from web.pages.admin import run
from web.pages.common import me, signed_in
from web.policy import READ_EXCHANGE, RUN_EXCHANGE, allows

bp = Blueprint("exchange_admin", __name__)


def _connectors() -> list[dict[str, Any]]:
    found = []
    for connector in views.connectors(deps()):
        page = views.batches(deps(), connector["code"])
        found.append({**connector, "batches": page["batches"][:30]})
    return found


@bp.get("/admin/exchange")
@signed_in(READ_EXCHANGE)
def exchange_page() -> ResponseReturnValue:
    """The connectors and their newest batches."""
    return render_template("admin/exchange.html", connectors=_connectors(), may_run=allows(me(), RUN_EXCHANGE))


@bp.post("/admin/exchange/<code>/export")
@signed_in(RUN_EXCHANGE)
def export_now(code: str) -> ResponseReturnValue:
    """Export now (``RunExchangeExport``); what it wrote is flashed."""
    result = run(RunExchangeExport(code, me().username), _("已导出"))
    if result is not None and not result["batches"]:
        flash(_("没有变化，未写文件"), "success")
    return redirect(url_for("exchange_admin.exchange_page"))


@bp.post("/admin/exchange/<code>/inbox")
@signed_in(RUN_EXCHANGE)
def inbox_now(code: str) -> ResponseReturnValue:
    """Read the inbox now (``ReadExchangeInbox``)."""
    run(ReadExchangeInbox(code, me().username), _("已读取收件箱"))
    return redirect(url_for("exchange_admin.exchange_page"))
