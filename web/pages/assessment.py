"""The assessment's managers' pages (垃圾分类考评, 物业监管; docs/assessment.md), READ_ASSESSMENTS: the rounds of both
schemes with their progress and (RUN_ASSESSMENT_ROUNDS) the form that starts the current period's round through
``POST /api/v1/assessment/rounds`` (``assessment.js``), one round's progress, the rankings (level tabs, scheme and
period selectors, a sortable table, the Leaflet map coloured by light from ``GET /api/v1/assessment/map``, the trend
chart as inline SVG) and the printable period report. Everything is read through ``city.assessment.views`` and
``round_views``, as the API reads it."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.assessment import registry_views, round_views, standings, views
from engine.domain.errors import GridcaseError, NotFound
from web.context import deps
from web.pages.common import bp, me, signed_in
from web.policy import READ_ASSESSMENTS, RUN_ASSESSMENT_ROUNDS, allows

TREND_PERIODS = 12
PAGE_ROWS = 500  # the table shows the first rows of a city's thousands of objects (the API pages the rest)
CHART = {"width": 640, "height": 220, "left": 40, "right": 12, "top": 12, "bottom": 28}


def scheme_names() -> dict[str, str]:
    """The schemes, in the page's language."""
    return {"garbage_sorting": _("垃圾分类考评"), "property": _("物业监管考评")}


def level_names() -> dict[str, str]:
    """The ranking levels, in the page's language."""
    return {"object": _("考评对象"), "street": _("街道"), "district": _("区"), "company": _("物业企业")}


def state_names() -> dict[str, str]:
    """Round and inspection states, in the page's language."""
    return {"running": _("进行中"), "closed": _("已结束"), "open": _("待检查"), "rectifying": _("整改中"),
            "escalated": _("已督办")}


def light_names() -> dict[str, str]:
    """The map's lights, in the page's language, with their floors (``standings.LIGHTS``)."""
    words = {"green": _("优（≥%(floor)s）"), "yellow": _("良（≥%(floor)s）"), "orange": _("中（≥%(floor)s）")}
    names = {colour: words[colour] % {"floor": f"{floor:g}"} for floor, colour in standings.LIGHTS}
    return {**names, "red": _("差（<%(floor)s）") % {"floor": f"{standings.LIGHTS[-1][0]:g}"}, "grey": _("未检查")}


def _rounds() -> list[dict[str, Any]]:
    return round_views.round_list(deps())


@bp.get("/assessment")
@signed_in(READ_ASSESSMENTS)
def assessment_page() -> ResponseReturnValue:
    """考评: the rounds of both schemes, newest first, with their progress; the start form for shift leads,
    supervisors and admins."""
    return render_template("assessment.html", rounds=_rounds(), schemes=scheme_names(), states=state_names(),
                           can_start=allows(me(), RUN_ASSESSMENT_ROUNDS),
                           start_api=request.script_root + "/api/v1/assessment/rounds",
                           texts={"started": _("已发起考评轮次"), "failed": _("发起失败")})


@bp.get("/assessment/rounds/<int(max=2147483647):round_id>")
@signed_in(READ_ASSESSMENTS)
def assessment_round_page(round_id: int) -> ResponseReturnValue:
    """One round's progress: counts by state and district, the overdue inspections."""
    try:
        found = round_views.one_round(deps(), round_id)
    except NotFound:
        abort(404)
    return render_template("assessment_round.html", round=found, schemes=scheme_names(), states=state_names(),
                           district_names=dict(registry_views.districts(deps())))


def _choice(name: str, choices: tuple[str, ...]) -> str:
    value = request.args.get(name) or choices[0]
    if value not in choices:
        abort(400)
    return value


def trend_chart(trend: dict[str, Any], code: str | None) -> dict[str, Any]:
    """The inline SVG's geometry: the overall line (and ``code``'s line) over the periods, scores 0–100."""
    width, height, left, top = CHART["width"], CHART["height"], CHART["left"], CHART["top"]
    inner_w, inner_h = width - left - CHART["right"], height - top - CHART["bottom"]
    periods = trend["periods"]
    step = inner_w / max(1, len(periods) - 1)

    def xy(index: int, score: float) -> tuple[float, float]:
        return round(left + index * step, 1), round(top + inner_h * (1 - score / 100.0), 1)

    def line(points: list[dict[str, Any]]) -> list[tuple[float, float, str, float]]:
        return [(*xy(i, p["average"]), p["period"], p["average"]) for i, p in enumerate(points)
                if p["average"] is not None]

    lines = [{"name": _("全部"), "class": "overall", "points": line(trend["overall"])}]
    lines += [{"name": s["name"], "class": "selected", "points": line(s["points"])} for s in trend["series"]
              if code and s["code"] == code]
    ticks = [{"y": xy(0, score)[1], "score": score} for score in (0, 60, 80, 100)]
    labels = [{"x": xy(i, 0)[0], "period": p} for i, p in enumerate(periods)]
    return {**CHART, "lines": lines, "ticks": ticks, "labels": labels, "bottom_y": top + inner_h}


@bp.get("/assessment/rankings")
@signed_in(READ_ASSESSMENTS)
def assessment_rankings_page() -> ResponseReturnValue:
    """考评排名: the level's ranking of a scheme's period, the map coloured by light and the trend chart."""
    scheme, level = _choice("scheme", standings.SCHEMES), _choice("level", standings.LEVELS)
    period, code = request.args.get("period") or None, request.args.get("code") or None
    periods = views.round_periods(deps(), scheme)  # every round's period, scored or not
    try:
        found = views.rankings(deps(), scheme, period, level, 1, PAGE_ROWS)
        trend = views.trends(deps(), scheme, "district" if level == "object" and not code else level, code,
                             TREND_PERIODS, found["period"])
    except NotFound:
        found, trend = None, None
    except GridcaseError as exc:
        abort(400, exc.message)
    chosen = found["period"] if found else period
    api = {"map": url_for("assessment_views_api.assessment_map", scheme=scheme, period=chosen)} if found else {}
    return render_template("assessment_rankings.html", found=found, scheme=scheme, level=level, period=chosen,
                           periods=periods, code=code, schemes=scheme_names(), levels=level_names(),
                           lights=light_names(), states=state_names(), api=api,
                           chart=trend_chart(trend, code) if trend else None)


@bp.get("/assessment/report")
@signed_in(READ_ASSESSMENTS)
def assessment_report_page() -> ResponseReturnValue:
    """The printable period report (考评月报 / 季报); no period: the scheme's newest round."""
    scheme = _choice("scheme", standings.SCHEMES)
    period = request.args.get("period") or None
    try:
        found = views.report(deps(), scheme, period)
    except NotFound:
        abort(404)
    except GridcaseError as exc:
        abort(400, exc.message)
    return render_template("assessment_report.html", report=found, schemes=scheme_names(), states=state_names(),
                           now=deps().clock.now())
