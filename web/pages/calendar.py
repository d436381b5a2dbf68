"""The duty calendar page (值班时间表 / Duty calendar, ``/admin/calendar``): its versions, the one in force, warnings
(no calendar loaded, years without a holiday table), and an upload of new versions (admins).

The upload is one ``LoadDutyCalendar`` command, the same as ``POST /api/v1/city/calendar`` and ``gridcase city
calendar load FILE``: all versions of the file or none, an error naming the field.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.domain.calendar_commands import LoadDutyCalendar
from engine.domain.duty_calendar import WEEKDAYS
from engine.domain.errors import GridcaseError
from web.api.calendar import calendar_view, city_today
from web.context import bus
from web.pages.common import bp, me, signed_in
from web.policy import MANAGE_DUTY_CALENDAR

MAX_UPLOAD = 200_000


@bp.get("/admin/calendar")
@signed_in(MANAGE_DUTY_CALENDAR)
def calendar_page() -> ResponseReturnValue:
    """The stored versions, newest loaded first, with the upload form."""
    return render_template("calendar.html", view=calendar_view(city_today()), weekdays=WEEKDAYS)


@bp.post("/admin/calendar")
@signed_in(MANAGE_DUTY_CALENDAR)
def upload_calendar() -> ResponseReturnValue:
    """Load the uploaded file (field ``file``) or the pasted JSON (field ``content``), with ``comment``."""
    upload = request.files.get("file")
    content = upload.read(MAX_UPLOAD + 1).decode("utf-8", "replace") if upload and upload.filename else ""
    content = content or request.form.get("content", "").strip()
    try:
        if not content:
            raise GridcaseError(_("请选择值班时间表文件或粘贴其内容"), field="file")
        loaded = bus().handle(LoadDutyCalendar(content, me().username, request.form.get("comment", "").strip()))
        flash(_("已载入 %(added)s 个版本，%(same)s 个版本未变", added=len(loaded.added), same=loaded.unchanged),
              "success")
    except GridcaseError as exc:
        flash(f"{exc.field + ': ' if exc.field else ''}{exc.message}", "error")
    return redirect(url_for("pages.calendar_page"))
