"""KPI pages: the ranking (``/kpi``: period and level pickers, every unit, formulas, composite and rank) and a
department's dashboard (``/kpi/departments/<code>``: its indicators, rank and open work by light).

Supervisors, shift leads, auditors and admins see everything; a department member sees the unit rankings
and its own department's dashboard.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from city.kpi.ranking import department_dashboard, ranking
from engine.domain.errors import InvalidCommand
from web.api.kpi import CODE, UNIT_LEVELS, may_see_department, this_month
from web.context import deps
from web.pages.common import bp, me, signed_in
from web.policy import READ_ALL_KPIS, READ_KPIS, allows

LEVEL_LABELS = ("department", "district", "street", "collector", "dispatcher")


def _period() -> str:
    given = (request.args.get("period") or "").strip()
    return given or this_month(deps().clock.now())


def _levels() -> tuple[str, ...]:
    return LEVEL_LABELS if allows(me(), READ_ALL_KPIS) else UNIT_LEVELS


def cell(indicator: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """What a table cell shows: the value (a percentage or a count, — without a denominator) and its counts."""
    value = row["values"][indicator["key"]]
    top = row["counts"].get(indicator["numerator"], 0)
    if indicator["denominator"] is None:
        return {"text": f"{value:g}", "title": str(top)}
    bottom = row["counts"].get(indicator["denominator"], 0)
    return {"text": "—" if value is None else f"{value * 100:.1f}%", "title": f"{top} / {bottom}"}


def _empty(period: str, level: str, message: str) -> dict[str, Any]:
    return {"period": period, "level": level, "rows": [], "indicators": [], "terms": {}, "as_of": "",
            "config": {"version": None, "sha256": "", "source": "file"}, "error": message}


@bp.get("/kpi")
@signed_in(READ_KPIS)
def kpi_ranking() -> ResponseReturnValue:
    """The ranking of the chosen level and period; bad input is shown next to its field (400)."""
    period, level = _period(), request.args.get("level") or "department"
    if level not in _levels():
        abort(403 if level in LEVEL_LABELS else 400)
    try:
        found, status = ranking(deps(), period, level), 200
    except InvalidCommand as exc:
        found, status = _empty(period, level, exc.message), 400
    return render_template("kpi_ranking.html", found=found, levels=_levels(), cell=cell,
                           own=me().department if me().role == "department_member" else None,
                           all_departments=allows(me(), READ_ALL_KPIS)), status


@bp.get("/kpi/departments/<code>")
@signed_in(READ_KPIS)
def kpi_department_page(code: str) -> ResponseReturnValue:
    """A department's own KPIs with their formulas and counts, its rank, and its open work by light."""
    if not CODE.fullmatch(code) or not may_see_department(me(), code):
        abort(404)
    period = _period()
    try:
        found, status = department_dashboard(deps(), code, period), 200
    except InvalidCommand as exc:
        found = department_dashboard(deps(), code, this_month(deps().clock.now()))
        found["error"], status = exc.message, 400
    return render_template("kpi_department.html", found=found, cell=cell), status
