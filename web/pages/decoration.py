"""Decoration works' pages (室内装修工程; docs/decoration.md): ``/decoration`` lists the works (filters: state,
district) with the registration form (REGISTER_DECORATION_WORKS), ``/decoration/<code>`` shows one works — its
facts, removal, inspections and linked waste cases — with the removal and cancel forms for who may. The forms send
the same commands as the API and the command line; a refusal shows the page again with each field's message."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.decoration import views
from city.decoration.commands import CancelDecorationWorks, RegisterDecorationRemoval, RegisterDecorationWorks
from city.decoration.removal import may_act
from city.persistence.read.decoration import STATES
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected
from web.context import bus, deps
from web.pages.common import bp, me, page_arg, signed_in
from web.policy import READ_DECORATION_WORKS, REGISTER_DECORATION_WORKS

FORM_FIELDS = ("address", "compound_name", "lon", "lat", "owner_name", "owner_phone", "contractor", "starts_on",
               "ends_on", "expected_waste_m3")


def state_labels() -> dict[str, str]:
    """The works' states in the page's language."""
    return {"registered": _("已登记"), "in_progress": _("施工中"), "finished": _("已完工"), "cancelled": _("已撤销")}


def result_labels() -> dict[str, str]:
    """The inspections' results in the page's language."""
    return {"handled": _("垃圾已规范处置"), "piled": _("垃圾堆放未清运"), "other": _("其他问题")}


def _list_page(form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               refused: str | None = None) -> str:
    state = request.args.get("state") or None
    district = request.args.get("district") or None
    state = state if state in STATES else None
    listed = views.works_list(deps(), state, district if district and district.isalnum() else None, page_arg())
    return render_template("decoration_list.html", works=listed["works"], listed=listed, states=state_labels(),
                           chosen_state=state, chosen_district=district or "", form=form or {}, errors=errors or {},
                           refused=refused)


@bp.get("/decoration")
@signed_in(READ_DECORATION_WORKS)
def decoration_page() -> ResponseReturnValue:
    """The works with the filters and, for who may, the registration form."""
    return _list_page()


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text  # the command names the field


def _day(text: str) -> Any:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _command(form: dict[str, str]) -> RegisterDecorationWorks:
    return RegisterDecorationWorks(
        form["address"], form["compound_name"] or None, _number(form["lon"]), _number(form["lat"]),
        form["owner_name"], form["owner_phone"], form["contractor"], _day(form["starts_on"]), _day(form["ends_on"]),
        _number(form["expected_waste_m3"]), me().username)


@bp.post("/decoration")
@signed_in(REGISTER_DECORATION_WORKS)
def register_decoration() -> ResponseReturnValue:
    """Register a works from the form: to its page, or the list again with each field's message (422)."""
    form = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    try:
        result = bus().handle(_command(form))
    except FieldsRejected as exc:
        return _list_page(form, dict(exc.fields), exc.message), 422
    except GridcaseError as exc:
        return _list_page(form, {exc.field or "": exc.message}, exc.message), exc.http_status
    flash(f"{_('已登记')} {result['code']}", "success")
    return redirect(url_for("pages.decoration_works_page", code=result["code"]))


def _works_page(code: str, errors: dict[str, str] | None = None) -> str:
    works = views.works_detail(deps(), code)
    office = works["office_group"]  # the forms offered to who the commands let act (the others' would be a 403)
    return render_template("decoration_works.html", works=works, states=state_labels(), results=result_labels(),
                           errors=errors or {}, may_remove=may_act(me(), works, office, collectors=True),
                           may_cancel=may_act(me(), works, office, collectors=False))


@bp.get("/decoration/<code>")
@signed_in(READ_DECORATION_WORKS)
def decoration_works_page(code: str) -> ResponseReturnValue:
    """One works with its removal, inspections and linked cases."""
    return _works_page(code)


def _act(code: str, command: Any, done: str) -> ResponseReturnValue:
    try:
        bus().handle(command)
    except FieldsRejected as exc:
        return _works_page(code, dict(exc.fields)), 422
    except GridcaseError as exc:
        return _works_page(code, {exc.field or "": exc.message}), exc.http_status
    flash(done, "success")
    return redirect(url_for("pages.decoration_works_page", code=code))


@bp.post("/decoration/<code>/removal")
@signed_in(REGISTER_DECORATION_WORKS)
def register_decoration_removal(code: str) -> ResponseReturnValue:
    """Register the waste's removal by the permit given."""
    command = RegisterDecorationRemoval(code, request.form.get("permit_code", "").strip(), me().username)
    return _act(code, command, _("已登记清运"))


@bp.post("/decoration/<code>/cancel")
@signed_in(REGISTER_DECORATION_WORKS)
def cancel_decoration(code: str) -> ResponseReturnValue:
    """Cancel the works with the reason given."""
    return _act(code, CancelDecorationWorks(code, request.form.get("reason", ""), me().username), _("已撤销登记"))
