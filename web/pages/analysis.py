"""The analysis pages: the heat map of cases per unit grid (``heatmap.js`` draws it and re-queries the API on
every filter change), hot spots and hard problems (tables rendered here) and trends (``trends.js`` draws them
with ECharts). Supervisors, shift leads, dispatchers, auditors and admins."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from city.analysis import service as analysis
from engine.domain.city_zone import city_zone
from engine.domain.errors import InvalidCommand
from engine.persistence.read import city
from web.api.analysis import HotspotsQuery, load_filter
from web.context import deps
from web.pages.catalog import departments, subtype_groups, subtype_names
from web.pages.common import bp, signed_in
from web.pages.labels import CHANNELS
from web.policy import READ_ANALYSIS

FILTERS = ("subtype", "aspect", "channel", "source", "department", "month", "since", "until")


def aspects() -> list[dict[str, str]]:
    """The management aspects: ``{code, name_zh, name_en}`` by code."""
    with deps().uow(read_only=True) as uow:
        return city.aspects(uow.store)


def _today() -> date:
    return deps().clock.now().astimezone(city_zone()).date()


def _given(defaults: dict[str, str]) -> dict[str, str]:
    """The filters as given (empty ones dropped); the defaults when no filter was given at all."""
    given = {k: v for k, v in request.args.items() if k in FILTERS and v.strip() != ""}
    return given if given or "filtered" in request.args else dict(defaults)


def _context(filters: dict[str, str]) -> dict[str, Any]:
    """What the filter form needs."""
    return {"filters": filters, "groups": subtype_groups(deps()), "aspects": aspects(), "channel_codes": CHANNELS,
            "departments": departments(deps()), "subtypes": subtype_names(deps()),
            "api": {"heatmap": url_for("api_analysis.heatmap"), "points": url_for("api_analysis.points"),
                    "trends": url_for("api_analysis.trends"), "shapes": url_for("api_analysis.grid_shapes"),
                    "grid_cases": url_for("api_analysis.grid_cases", unit_grid="GRID"),
                    "case": url_for("pages.case_page", case_no="CASE")}}


def _js_texts() -> dict[str, str]:
    """What the scripts show, in the page's language."""
    return {"cases": _("案件"), "total": _("合计"), "none": _("没有符合条件的案件"), "grid": _("单元网格"),
            "loading": _("加载中…"), "failed": _("加载失败"), "more": _("还有 %(n)s 件", n="{n}"),
            "sampled": _("热力图显示最近的 %(n)s 件", n="{n}")}


@bp.get("/analysis/heatmap")
@signed_in(READ_ANALYSIS)
def analysis_heatmap() -> ResponseReturnValue:
    """The choropleth of cases per unit grid with a point heat layer; filters re-query without reloading."""
    filters = _given({})
    return render_template("analysis_heatmap.html", texts=_js_texts(), **_context(filters))


@bp.get("/analysis/trends")
@signed_in(READ_ANALYSIS)
def analysis_trends() -> ResponseReturnValue:
    """Cases per day, week or month (the last 90 days by day, unless filtered)."""
    filters = _given({"since": (_today() - timedelta(days=89)).isoformat(), "until": _today().isoformat()})
    by = request.args.get("by", "day")
    return render_template("analysis_trends.html", texts=_js_texts(), by=by if by in ("day", "week", "month")
                           else "day", **_context(filters))


@bp.get("/analysis/hotspots")
@signed_in(READ_ANALYSIS)
def analysis_hotspots() -> ResponseReturnValue:
    """High-frequency and hard problems (the last 30 days unless filtered)."""
    filters = _given({"since": (_today() - timedelta(days=29)).isoformat(), "until": _today().isoformat()})
    errors: dict[str, str] = {}
    found: dict[str, Any] = {"grids": [], "streets": [], "recurring": [], "repeated": []}
    try:
        flt, rest = load_filter(HotspotsQuery(), filters)
        found = analysis.hotspots(deps(), flt, rest["limit"])
    except ValidationError as exc:
        errors = {str(k): str(v[0]) if isinstance(v, list) and v else str(v)
                  for k, v in exc.normalized_messages().items()}
    except InvalidCommand as exc:
        errors = {exc.field or "": exc.message}
    return render_template("analysis_hotspots.html", found=found, errors=errors,
                           **_context(filters)), 400 if errors else 200
