"""The admin pages (管理 / Administration, ``/admin``): the home linking every admin page, departments and the
catalogue's subtypes. Every form sends one command (city/admin/commands.py), the same as ``/api/v1/admin/…`` and
``gridcase city department|subtype``; each object's page shows its versions (``admin_changes``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.admin import commands as ac
from city.admin import views
from city.admin.checks import LEVELS, LIMIT_UNITS, URGENCIES
from engine.domain.commands import Command
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected
from web.context import bus, deps
from web.pages.common import me, signed_in
from web.policy import MANAGE_CITY

bp = Blueprint("admin_pages", __name__)


def run(command: Command, done: str) -> Any:
    """Send ``command``; flash ``done`` or the refusal (naming its field). None when refused."""
    try:
        result = bus().handle(command)
    except GridcaseError as exc:
        flash(f"{exc.field + ': ' if exc.field else ''}{exc.message}", "error")
        return None
    flash(done, "success")
    return result


def form(name: str) -> str:
    """A form field, stripped (empty when absent)."""
    return request.form.get(name, "").strip()


def number(name: str) -> float | None:
    """A number field (None when empty); an unreadable one is flashed and aborts the form with 422."""
    text = form(name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        flash(f"{name}: {_('请输入数字')}", "error")
        abort(redirect(request.path))


def uploaded_files(fields: dict[str, str]) -> dict[str, str] | str:
    """The uploaded files by registry file name (``fields``: form field → file name; an empty field skipped); a
    message naming the file when one is not UTF-8 text."""
    files: dict[str, str] = {}
    for field, name in fields.items():
        upload = request.files.get(field)
        if upload is None or not upload.filename:
            continue
        try:
            files[name] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            return f"{name}: {_('不是 UTF-8 文本')}"
    return files


def load_uploads(fields: dict[str, str], command: Callable[[dict[str, str], str], Command],
                 page: Callable[[list[tuple[str, str]] | None, str | None], str],
                 summary: Callable[[dict[str, Any]], str], endpoint: str) -> ResponseReturnValue:
    """A registry admin page's upload: the files (``fields`` as ``uploaded_files``) loaded by ``command(files,
    actor)``; the counts flashed (``summary``) and back to ``endpoint``, or ``page(problems, refused)`` again with
    every problem (422, or the refusal's status)."""
    files = uploaded_files(fields)
    if isinstance(files, str):
        return page(None, files), 422
    if not files:
        return page(None, _("请选择至少一个文件")), 422
    try:
        result: dict[str, Any] = bus().handle(command(files, me().username))
    except FieldsRejected as exc:
        return page(sorted(exc.fields.items()), exc.message), 422
    except GridcaseError as exc:
        return page(None, f"{exc.field + ': ' if exc.field else ''}{exc.message}"), exc.http_status
    flash(f"{_('已载入')}: {summary(result)}", "success")
    return redirect(url_for(endpoint))


@bp.get("/admin")
@signed_in(MANAGE_CITY)
def admin_home() -> ResponseReturnValue:
    """Links to every admin page and the latest changes."""
    return render_template("admin/home.html", changes=views.history(deps(), limit=20))


@bp.get("/admin/departments")
@signed_in(MANAGE_CITY)
def departments_page() -> ResponseReturnValue:
    """Every department with its level, district and state, and the form to add one."""
    return render_template("admin/departments.html", departments=views.departments(deps()), levels=LEVELS)


@bp.post("/admin/departments")
@signed_in(MANAGE_CITY)
def add_department() -> ResponseReturnValue:
    """Add a department (``AddDepartment``)."""
    added = run(ac.AddDepartment(form("code"), form("name_zh"), form("name_en"), form("level"),
                                 form("district") or None, me().username, form("comment")), _("已添加部门"))
    if added is None:
        return redirect(url_for("admin_pages.departments_page"))
    return redirect(url_for("admin_pages.department_page", code=added["code"]))


@bp.get("/admin/departments/<code>")
@signed_in(MANAGE_CITY)
def department_page(code: str) -> ResponseReturnValue:
    """One department: the edit form, disable or enable, its versions."""
    found = next((d for d in views.departments(deps()) if d["code"] == code), None)
    if found is None:
        abort(404)
    return render_template("admin/department.html", department=found, levels=LEVELS,
                           changes=views.history(deps(), "department", code))


@bp.post("/admin/departments/<code>")
@signed_in(MANAGE_CITY)
def edit_department(code: str) -> ResponseReturnValue:
    """Edit the names, level and district (``EditDepartment``), or disable/enable (``DisableDepartment``)."""
    action = form("action")
    if action in ("disable", "enable"):
        run(ac.DisableDepartment(code, me().username, enable=action == "enable", comment=form("comment")),
            _("已停用") if action == "disable" else _("已启用"))
    else:
        run(ac.EditDepartment(code, me().username, form("name_zh"), form("name_en"), form("level"), form("district"),
                              form("comment")), _("已保存"))
    return redirect(url_for("admin_pages.department_page", code=code))


@bp.get("/admin/subtypes")
@signed_in(MANAGE_CITY)
def subtypes_page() -> ResponseReturnValue:
    """Every subtype (aspect, names, urgency, time limit, state) and the form to add one."""
    return render_template("admin/subtypes.html", subtypes=views.subtypes(deps()), aspects=views.aspects(deps()),
                           urgency_choices=URGENCIES, unit_choices=LIMIT_UNITS)


@bp.post("/admin/subtypes")
@signed_in(MANAGE_CITY)
def add_subtype() -> ResponseReturnValue:
    """Add a subtype (``AddSubtype``)."""
    added = run(ac.AddSubtype(form("code"), form("kind"), form("aspect_code"), form("major_code"),
                              form("major_name_zh"), form("name_zh"), form("name_en"),
                              form("default_urgency") or "normal", number("limit_amount") or 0, form("limit_unit"),
                              form("closing_standard"), me().username, form("comment"),
                              form("national_code") or None), _("已添加小类"))
    if added is None:
        return redirect(url_for("admin_pages.subtypes_page"))
    return redirect(url_for("admin_pages.subtype_page", code=added["code"]))


@bp.get("/admin/subtypes/<code>")
@signed_in(MANAGE_CITY)
def subtype_page(code: str) -> ResponseReturnValue:
    """One subtype: the edit form, disable or enable, where it routes, its versions."""
    found = next((s for s in views.subtypes(deps()) if s["code"] == code), None)
    if found is None:
        abort(404)
    routes = views.routing(deps())["routes"].get(code, [])
    return render_template("admin/subtype.html", subtype=found, urgency_choices=URGENCIES, unit_choices=LIMIT_UNITS,
                           routes=routes, changes=views.history(deps(), "subtype", code))


@bp.post("/admin/subtypes/<code>")
@signed_in(MANAGE_CITY)
def edit_subtype(code: str) -> ResponseReturnValue:
    """Edit the subtype (``EditSubtype``), or disable/enable it (``DisableSubtype``)."""
    action = form("action")
    if action in ("disable", "enable"):
        run(ac.DisableSubtype(code, me().username, enable=action == "enable", comment=form("comment")),
            _("已停用") if action == "disable" else _("已启用"))
    else:
        run(ac.EditSubtype(code, me().username, form("name_zh"), form("name_en"), form("default_urgency") or None,
                           number("limit_amount"), form("limit_unit") or None, request.form.get("closing_standard"),
                           form("comment"), form("national_code")), _("已保存"))
    return redirect(url_for("admin_pages.subtype_page", code=code))
