"""The transport registries' admin page (渣土运输登记 / Transport registries, ``/admin/transport``): the companies,
vehicles (with their company), sites and permits (with their validity and state), and a form uploading the four
registry files — one ``LoadTransportRegistry`` command, as ``POST /api/v1/transport/registry`` and
``gridcase transport load`` — showing the counts loaded, or every problem by file, row and field."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.transport import registry_views
from city.transport.commands import LoadTransportRegistry
from city.transport.registry_files import FILE_NAMES
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected
from web.context import bus, deps
from web.pages.admin import bp, uploaded_files
from web.pages.common import me, signed_in
from web.policy import MANAGE_TRANSPORT

# the upload form's fields: each file is taken as its registry's whatever its name on the user's disk
UPLOAD_FIELDS = {name.split(".")[0]: name for name in FILE_NAMES}


def registry_labels() -> dict[str, str]:
    """Each registry's name in the page's language."""
    return {"companies": _("运输企业"), "vehicles": _("车辆"), "sites": _("出土点、消纳场与停车场"),
            "permits": _("核准")}


def _page(problems: list[tuple[str, str]] | None = None, refused: str | None = None) -> str:
    registries = registry_views.all_registries(deps(), geometry=False)
    return render_template("admin_transport.html", upload_fields=UPLOAD_FIELDS, problems=problems or [],
                           refused=refused, labels=registry_labels(), **registries)


@bp.get("/admin/transport")
@signed_in(MANAGE_TRANSPORT)
def transport_page() -> ResponseReturnValue:
    """The four registries and the upload form."""
    return _page()


@bp.post("/admin/transport")
@signed_in(MANAGE_TRANSPORT)
def load_transport_files() -> ResponseReturnValue:
    """Load the uploaded files: the counts flashed, or the page again with every problem (422)."""
    files = uploaded_files(UPLOAD_FIELDS)
    if isinstance(files, str):
        return _page(refused=files), 422
    if not files:
        return _page(refused=_("请选择至少一个文件")), 422
    try:
        result: dict[str, Any] = bus().handle(LoadTransportRegistry(files, me().username))
    except FieldsRejected as exc:
        return _page(sorted(exc.fields.items()), exc.message), 422
    except GridcaseError as exc:
        return _page(refused=f"{exc.field + ': ' if exc.field else ''}{exc.message}"), exc.http_status
    labels = registry_labels()
    summary = "; ".join(f"{labels[name]} {_('新增')} {c['inserted']}, {_('已更新')} {c['updated']},"
                        f" {_('未变')} {c['unchanged']}" for name, c in result.items())
    flash(f"{_('已载入')}: {summary}", "success")
    return redirect(url_for("admin_pages.transport_page"))
