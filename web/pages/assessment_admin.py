"""The assessment registries' admin page (考评登记 / Assessment registries, ``/admin/assessment``): a form uploading
companies.csv, objects.geojson and checklists.json — one ``LoadAssessmentRegistry``, as ``POST
/api/v1/assessment/registry`` and ``gridcase assessment load`` — showing the counts loaded or every problem by file,
row and field; the objects (filtered by scheme, district and kind, paged) with their (de)activate switch; the
property companies; each scheme's checklist with its versions."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.assessment import registry_views
from city.assessment.commands import LoadAssessmentRegistry, SetAssessedObjectActive
from city.assessment.registry_files import FILE_NAMES
from engine.domain.errors import GridcaseError
from engine.persistence.assessment_records import SCHEMES
from web.api.assessment_registry import ALL_KINDS
from web.context import bus, deps
from web.pages.admin import bp, load_uploads
from web.pages.common import me, page_arg, signed_in
from web.policy import MANAGE_ASSESSMENT_REGISTRY

__all__ = ["bp"]

# the upload form's fields: each file is taken as its registry's whatever its name on the user's disk
UPLOAD_FIELDS = {name.split(".")[0]: name for name in FILE_NAMES}
FILTERS = ("scheme", "kind", "district", "page")


def labels() -> dict[str, str]:
    """The registries', schemes' and kinds' names in the page's language."""
    return {"companies": _("物业企业"), "objects": _("考评对象"), "checklists": _("考评细则"),
            "garbage_sorting": _("垃圾分类考评"), "property": _("物业监管"), "community": _("居民小区"),
            "institution": _("公共机构"), "collection_point": _("收集点"), "transfer_station": _("中转站"),
            "compound": _("住宅小区")}


def _filters() -> dict[str, Any]:
    """The objects' filters from the query string (an unknown value is ignored: the page shows all)."""
    args = request.args
    return {"scheme": args.get("scheme") if args.get("scheme") in SCHEMES else None,
            "kind": args.get("kind") if args.get("kind") in ALL_KINDS else None,
            "district": (args.get("district") or None) and args.get("district", "")[:20],
            "page": page_arg(99_999)}


def _page(problems: list[tuple[str, str]] | None = None, refused: str | None = None) -> str:
    filters = _filters()
    found = registry_views.objects(deps(), **filters)
    pages = max(1, -(-found["total"] // found["page_size"]))
    return render_template("admin_assessment.html", upload_fields=UPLOAD_FIELDS, problems=problems or [],
                           refused=refused, labels=labels(), filters=filters, objects=found, pages=pages,
                           companies=registry_views.companies(deps()), checklists=registry_views.all_checklists(deps()),
                           schemes=SCHEMES, kinds=ALL_KINDS, districts=registry_views.districts(deps()))


@bp.get("/admin/assessment")
@signed_in(MANAGE_ASSESSMENT_REGISTRY)
def assessment_registry_page() -> ResponseReturnValue:
    """The registries and the upload form."""
    return _page()


def _summary(result: dict[str, Any]) -> str:
    names = labels()
    parts = [f"{names[name]} {_('新增')} {result[name]['inserted']}, {_('已更新')} {result[name]['updated']},"
             f" {_('未变')} {result[name]['unchanged']}" for name in ("companies", "objects")]
    parts += [f"{names['checklists']} {names[scheme]} v{version}" for scheme, version in result["checklists"].items()]
    return "; ".join(parts)


@bp.post("/admin/assessment")
@signed_in(MANAGE_ASSESSMENT_REGISTRY)
def load_assessment_files() -> ResponseReturnValue:
    """Load the uploaded files: the counts flashed, or the page again with every problem (422)."""
    return load_uploads(UPLOAD_FIELDS, LoadAssessmentRegistry, _page, _summary, "admin_pages.assessment_registry_page")


@bp.post("/admin/assessment/objects/<scheme>/<code>/active")
@signed_in(MANAGE_ASSESSMENT_REGISTRY)
def set_assessed_object_active(scheme: str, code: str) -> ResponseReturnValue:
    """The (de)activate switch: back to the list where it was."""
    active = request.form.get("active") == "1"
    try:
        bus().handle(SetAssessedObjectActive(scheme, code, active, me().username))
    except GridcaseError as exc:
        return _page(refused=f"{exc.field + ': ' if exc.field else ''}{exc.message}"), exc.http_status
    flash(f"{scheme}/{code}: {_('已启用') if active else _('已停用')}", "success")
    back = urlencode([(k, v) for k, v in parse_qsl(request.form.get("back", "")[:500]) if k in FILTERS])
    return redirect(url_for("admin_pages.assessment_registry_page") + (f"?{back}" if back else "")
                    + "#assessment-objects")  # the list as it was
