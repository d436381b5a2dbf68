"""The transport registries' admin page (渣土运输登记 / Transport registries, ``/admin/transport``): the companies,
vehicles (with their company), sites and permits (with their validity and state), and a form uploading the four
registry files — one ``LoadTransportRegistry`` command, as ``POST /api/v1/transport/registry`` and
``gridcase transport load`` — showing the counts loaded, or every problem by file, row and field."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.transport import registry_views
from city.transport.commands import LoadTransportRegistry
from city.transport.registry_files import FILE_NAMES
from web.context import deps
from web.pages.admin import bp, load_uploads
from web.pages.common import signed_in
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
    return load_uploads(UPLOAD_FIELDS, LoadTransportRegistry, _page, _summary, "admin_pages.transport_page")


def _summary(result: dict[str, Any]) -> str:
    """What a load did, per registry."""
    labels = registry_labels()
    return "; ".join(f"{labels[name]} {_('新增')} {c['inserted']}, {_('已更新')} {c['updated']},"
                     f" {_('未变')} {c['unchanged']}" for name, c in result.items())
