"""Reporting a problem (受理/上报): the same checks and engine command as ``POST /api/v1/cases``."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from engine.domain import commands as c
from engine.domain.errors import GridcaseError
from web.api.cases import LIFECYCLE, case_no_of
from web.api.schemas import CHANNELS, CaseCreate
from web.pages.catalog import subtype_groups, subtype_names
from web.pages.common import bp, bus, deps, me, signed_in
from web.pages.formdata import GENERAL, MESSAGES

REPORTERS = frozenset({"seat_operator", "collector", "shift_lead"})
FIELDS = ("channel", "subtype_code", "lon", "lat", "description", "urgency")
ENGINE_FIELDS = {"channel": "channel", "subtype": "subtype_code", "location": "lon", "location.lon": "lon",
                 "location.lat": "lat", "description": "description", "urgency": "urgency"}
MARSHMALLOW = {"Missing data for required field.": "required", "Not a valid number.": "must be a number",
               "Shorter than minimum length 1.": "must not be empty"}


def _errors(messages: dict[str, Any]) -> dict[str, str]:
    """marshmallow's messages → one translated message per form field."""
    out: dict[str, str] = {}
    for name, problems in messages.items():
        first = problems[0] if isinstance(problems, list) and problems else str(problems)
        text = MARSHMALLOW.get(str(first), str(first))
        out[name if name in FIELDS else GENERAL] = str(MESSAGES.get(text, text))
    return out


def _render(values: dict[str, str], errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    return render_template("report.html", values=values, errors=errors, channel_codes=CHANNELS,
                           groups=subtype_groups(deps())), status


@bp.get("/report/new")
@signed_in(REPORTERS)
def new_report() -> ResponseReturnValue:
    """The report form."""
    channel = "patrol" if me().role == "collector" else "hotline"
    return _render({"channel": channel, "urgency": "normal"}, {})


@bp.post("/report/new")
@signed_in(REPORTERS)
def create_report() -> ResponseReturnValue:
    """Start a case from the form and show it; problems go next to their fields."""
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    try:
        body = CaseCreate().load({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        return _render(values, _errors(exc.messages if isinstance(exc.messages, dict) else {}), 422)
    if body["subtype_code"] not in subtype_names(deps()):
        return _render(values, {"subtype_code": _("没有这个小类")}, 422)
    who = me()
    report = {"channel": body["channel"], "subtype": body["subtype_code"], "description": body["description"],
              "location": {"lon": body["lon"], "lat": body["lat"]}, "evidence": [],
              "urgency": body.get("urgency", "normal"), "reporter": who.username, "duplicate_of": None}
    try:
        ref = bus().handle(c.StartCase(LIFECYCLE, {"report": report}, who.username))
    except GridcaseError as exc:
        field = ENGINE_FIELDS.get((exc.field or "").removeprefix("report."), GENERAL)
        return _render(values, {field: exc.message}, exc.http_status)
    number = case_no_of(ref.case_id)
    flash(_("已登记案件 %(case)s", case=number), "success")
    return redirect(url_for("pages.case_page", case_no=number))
