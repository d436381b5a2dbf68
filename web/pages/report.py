"""Reporting a problem (受理/上报): the same checks and engine command as ``POST /api/v1/cases``."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from city.commands import ReportProblem
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected
from web.api.cases import case_no_of
from web.api.schemas import CaseCreate
from web.context import bus, deps
from web.pages.catalog import subtype_groups
from web.pages.common import bp, me, signed_in
from web.pages.formdata import GENERAL, MESSAGES
from web.pages.labels import active_channel_codes
from web.policy import CREATE_CASES

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


def _engine_errors(fields: dict[str, str]) -> dict[str, str]:
    """The engine's refusals by field → messages next to the form's fields (the rest above the form)."""
    out: dict[str, str] = {}
    for name, message in fields.items():
        field = ENGINE_FIELDS.get(name.removeprefix("report."), name if name in FIELDS else GENERAL)
        text = _("没有这个小类") if name == "subtype_code" and message.startswith("no subtype") else message
        out.setdefault(field, str(MESSAGES.get(text, text)))
    return out


def _render(values: dict[str, str], errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    return render_template("report.html", values=values, errors=errors, channel_codes=active_channel_codes(),
                           groups=subtype_groups(deps())), status


@bp.get("/report/new")
@signed_in(CREATE_CASES)
def new_report() -> ResponseReturnValue:
    """The report form."""
    channel = "patrol" if me().role == "collector" else "hotline"
    return _render({"channel": channel, "urgency": "normal"}, {})


@bp.post("/report/new")
@signed_in(CREATE_CASES)
def create_report() -> ResponseReturnValue:
    """Start a case from the form and show it; problems go next to their fields."""
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    try:
        body = CaseCreate().load({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        return _render(values, _errors(exc.messages if isinstance(exc.messages, dict) else {}), 422)
    who = me()
    try:
        ref = bus().handle(ReportProblem(body["subtype_code"], body["description"], body["lon"], body["lat"],
                                           body["channel"], who.username, urgency=body.get("urgency", "normal"),
                                           actor_kind=who.actor_kind))
    except FieldsRejected as exc:
        return _render(values, _engine_errors(exc.fields), exc.http_status)
    except GridcaseError as exc:
        return _render(values, _engine_errors({exc.field or GENERAL: exc.message}), exc.http_status)
    number = ref.case_no or case_no_of(ref.case_id)
    flash(_("已登记案件 %(case)s", case=number), "success")
    return redirect(url_for("pages.case_page", case_no=number))
