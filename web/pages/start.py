"""发起流程 / Start a process: the deployed processes the signed-in person may start, each with its start form
(drawn like a task's form), and the POST that starts one with the same ``StartCase`` command the API and
``gridcase case start`` send — the command decides who may start what and checks the form, errors go next to
their fields, and a started case opens its page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.domain.commands import StartCase
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected, form_fields
from engine.service.process_starts import StartOption, startable
from web.context import bus, deps
from web.pages.catalog import departments
from web.pages.common import bp, me, signed_in
from web.pages.formdata import GENERAL, build_document, place_errors
from web.pages.i18n import lang
from web.pages.task import field_views


def _fields(option: StartOption) -> list[dict[str, Any]]:
    """The start form's fields; a photo field is typed as text here, because photos are uploaded to a case and
    there is none yet."""
    fields = form_fields(option.form) if option.form else []
    return [{**f, "widget": None} if f.get("widget") == "photos" else f for f in fields]


def _view(option: StartOption, posted: MultiDict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    form = option.form
    title = form.schema.get("title" if lang() == "zh" else "x-title-en") if form else None
    fields = _fields(option)
    return {"process_id": option.process_id, "name": option.settings.name, "number": option.number,
            "description": option.settings.description, "form_title": title,
            "fields": field_views(fields, posted, errors, lang()), "general_error": errors.get(GENERAL),
            "has_departments": any(f.get("widget") == "department" for f in fields)}


def _render(options: list[StartOption], chosen: str | None = None, posted: MultiDict[str, str] | None = None,
            errors: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    views = [_view(o, posted or MultiDict(), errors or {}) if o.process_id == chosen else _view(o, MultiDict(), {})
             for o in options]
    return render_template("start.html", processes=views, chosen=chosen,
                           departments=departments(deps()) if any(v["has_departments"] for v in views) else []), status


@bp.get("/start")
@signed_in()
def start_page() -> ResponseReturnValue:
    """The processes the person may start, with their start forms (none: an empty list, not an error)."""
    return _render(startable(deps(), me()))


@bp.post("/start/<process_id>")
@signed_in()
def start_process(process_id: str) -> ResponseReturnValue:
    """Start the process with the posted start form; to the new case's page."""
    options = startable(deps(), me())
    option = next((o for o in options if o.process_id == process_id), None)
    fields = _fields(option) if option else []
    data, problems = build_document(fields, request.form)
    names = [f["path"] for f in fields]
    if problems:  # what the HTML form itself could not turn into a document
        return _render(options, process_id, request.form, place_errors(problems, names), 422)
    try:  # a process the person may not start (or none) is refused by the command: 403/404 pages
        ref = bus().handle(StartCase(process_id, data, me().username, check_form=True, check_starter=True,
                                     actor_kind=me().actor_kind))
    except FieldsRejected as exc:
        return _render(options, process_id, request.form, place_errors(exc.fields, names), exc.http_status)
    except GridcaseError as exc:
        if option is None:
            raise
        return _render(options, process_id, request.form, place_errors({exc.field or GENERAL: exc.message}, names),
                       exc.http_status)
    flash(_("已发起：%(name)s（案件 %(case)s）", name=option.settings.name if option else process_id,
            case=ref.case_no), "success")
    return redirect(url_for("pages.case_page", case_no=ref.case_no))
