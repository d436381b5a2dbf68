"""The connectors' admin page (对接系统 / Connectors, ``/admin/connectors``): upload the configuration file (the same
``LoadConnectors`` as the API and ``gridcase connectors load``; every problem listed by its path), each connector's
configuration and version, and its pushes with their attempts and a retry button for a failed one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.connectors import views
from city.connectors.commands import LoadConnectors, RetryPush
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected
from web.context import bus, deps
from web.pages.common import me, signed_in
from web.policy import MANAGE_CONNECTORS

bp = Blueprint("connectors_admin", __name__)
MAX_UPLOAD = 1_000_000


def _page(problems: list[tuple[str, str]] | None = None, refused: str | None = None) -> str:
    found = views.connectors(deps())
    pushes = {c["code"]: views.deliveries(deps(), c["code"]) for c in found if c["kind"] == "hotline"}
    return render_template("admin/connectors.html", connectors=found, pushes=pushes, problems=problems or [],
                           refused=refused)


@bp.get("/admin/connectors")
@signed_in(MANAGE_CONNECTORS)
def connectors_page() -> ResponseReturnValue:
    """The connectors, their pushes and the upload form."""
    return _page()


def _uploaded() -> str | None:
    upload = request.files.get("file")
    raw = upload.read(MAX_UPLOAD + 1) if upload is not None else b""
    if not raw or len(raw) > MAX_UPLOAD:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


@bp.post("/admin/connectors")
@signed_in(MANAGE_CONNECTORS)
def load_connectors() -> ResponseReturnValue:
    """Load the uploaded file: what changed flashed, or the page again with every problem (422)."""
    content = _uploaded()
    if content is None:
        return _page(None, _("请选择一个 UTF-8 JSON 文件（至多 1 MB）")), 422
    try:
        result: dict[str, Any] = bus().handle(LoadConnectors(content, me().username))
    except FieldsRejected as exc:
        return _page(sorted(exc.fields.items()), exc.message), 422
    except GridcaseError as exc:
        return _page(None, exc.message), exc.http_status
    flash(f"{_('已载入')}: " + "; ".join(f"{k} {', '.join(v) or '-'}" for k, v in result.items()), "success")
    return redirect(url_for("connectors_admin.connectors_page"))


@bp.post("/admin/connectors/deliveries/<int:delivery_id>/retry")
@signed_in(MANAGE_CONNECTORS)
def retry_delivery(delivery_id: int) -> ResponseReturnValue:
    """Queue a failed push again."""
    try:
        bus().handle(RetryPush(delivery_id, me().username))
    except GridcaseError as exc:
        return _page(None, exc.message), exc.http_status
    flash(_("已重新排队"), "success")
    return redirect(url_for("connectors_admin.connectors_page"))
