"""The holidays page (节假日 / Public holidays, ``/admin/holidays``): the years of the city's holiday table and a
form setting one year's days off and 调休 working days (``SetHolidayYear``, as ``PUT /api/v1/admin/holidays/YEAR``)."""

from __future__ import annotations

import re

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.admin import commands as ac
from city.admin import views
from web.context import deps
from web.pages.admin import bp, form, run
from web.pages.common import me, signed_in
from web.policy import MANAGE_CITY


def dates(text: str) -> tuple[str, ...]:
    """The dates typed in a text area: separated by commas, spaces or lines."""
    return tuple(part for part in re.split(r"[\s,，、]+", text) if part)


@bp.get("/admin/holidays")
@signed_in(MANAGE_CITY)
def holidays_page() -> ResponseReturnValue:
    """The stored years, the form and the holidays' changes."""
    return render_template("admin/holidays.html", table=views.holiday_years(deps()),
                           changes=views.history(deps(), "holidays"))


@bp.post("/admin/holidays")
@signed_in(MANAGE_CITY)
def set_holiday_year() -> ResponseReturnValue:
    """Set one year (``SetHolidayYear``); a refusal is flashed naming its field."""
    year = form("year")
    if not year.isdigit() or len(year) > 4:
        run(ac.SetHolidayYear(-1, (), (), me().username), "")  # refused naming year, as the API would
        return redirect(url_for("admin_pages.holidays_page"))
    run(ac.SetHolidayYear(int(year), dates(form("holidays")), dates(form("workdays")), me().username,
                          form("comment")), _("已保存节假日"))
    return redirect(url_for("admin_pages.holidays_page"))
