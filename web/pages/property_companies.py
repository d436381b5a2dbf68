"""Property companies' credit pages (物业信用; READ_ASSESSMENTS): ``/property/companies`` ranks the companies by
credit score with their grade, compounds, events and latest inspection average; ``/property/companies/<code>`` is
one company's credit file — its score, a chart of its points by month (inline SVG, no script), its compounds with
their latest inspection score and its events newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.assessment import credit_views as views
from web.context import deps
from web.pages.common import bp, page_arg, signed_in
from web.policy import READ_ASSESSMENTS

__all__ = ["bp"]

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 600, 200, 16, 28  # the chart's box and its margins (px)


def source_labels() -> dict[str, str]:
    """The credit events' sources in the page's language."""
    return {"case": _("案件扣分"), "inspection": _("考评")}


def month_bars(months: list[dict[str, Any]]) -> dict[str, Any]:
    """The monthly chart's geometry: one bar per month from a zero line (points lost up, regained down), scaled
    to the largest month; ``{width, height, zero, bars: [{x, y, width, height, month, points, label_x}]}``."""
    values = [float(m["points"]) for m in months]
    top, bottom = max([0.0, *values]), min([0.0, *values])
    span = (top - bottom) or 1.0
    usable = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    zero = CHART_TOP + usable * top / span
    slot = CHART_WIDTH / max(1, len(months))
    bars = []
    for index, (month, value) in enumerate(zip(months, values, strict=True)):
        height = usable * abs(value) / span
        bars.append({"x": round(index * slot + slot * 0.15, 1), "width": round(slot * 0.7, 1),
                     "y": round(zero - height if value > 0 else zero, 1), "height": round(height, 1),
                     "month": month["month"], "points": value, "label_x": round(index * slot + slot / 2, 1)})
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "zero": round(zero, 1), "bars": bars,
            "label_y": CHART_HEIGHT - 8}


@bp.get("/property/companies")
@signed_in(READ_ASSESSMENTS)
def property_companies_page() -> ResponseReturnValue:
    """The companies ranked by credit score."""
    return render_template("property_companies.html", companies=views.ranked_companies(deps()))


@bp.get("/property/companies/<code>")
@signed_in(READ_ASSESSMENTS)
def property_company_page(code: str) -> ResponseReturnValue:
    """One company's credit file (404 for an unknown company)."""
    found = views.credit_file(deps(), code, page_arg())
    return render_template("property_company.html", company=found, chart=month_bars(found["months"]),
                           sources=source_labels())
