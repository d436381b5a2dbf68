"""Signing in and out; each role lands on its own work list."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from engine.domain.milestones import HUMAN, MILESTONES
from engine.service.accounts import Principal
from web.api import check_login
from web.api.auth import check_csrf
from web.api.errors import ApiError
from web.pages.common import bp, landing_url, me, signed_in
from web.policy import DESIGN_PROCESSES


def _safe_next(target: str | None) -> str | None:
    """A local path to return to after signing in (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.get("/")
def index() -> ResponseReturnValue:
    """The work list when signed in, else the login page."""
    if current_user.is_authenticated:
        return redirect(landing_url(me()))
    return redirect(url_for("pages.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The sign-in form; a POST checks the CSRF token, the throttle and the password."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(landing_url(me()))
        return render_template("login.html", next=request.args.get("next", ""))
    check_csrf()
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    following = request.form.get("next", "")
    if not username or not password:
        return render_template("login.html", error=_("请输入用户名和密码"), username=username, next=following), 400
    try:
        who = check_login(username, password)
    except ApiError as exc:
        message = _("用户名或密码错误") if exc.status == 401 else _("登录失败次数过多，请稍后再试")
        return render_template("login.html", error=message, username=username, next=following), exc.status
    assert isinstance(who, Principal)
    from web.app import SignedIn  # here: web.app imports this package

    session.clear()  # a new session (and CSRF token) for the person signing in
    login_user(SignedIn(who))
    return redirect(_safe_next(following) or landing_url(who))


@bp.post("/logout")
@signed_in()
def logout() -> ResponseReturnValue:
    """Sign out (POST with the CSRF token)."""
    logout_user()
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/designer")
@signed_in(DESIGN_PROCESSES)
def designer() -> ResponseReturnValue:
    """The process designer: BPMN and DMN modelers, drafts, validation and deployment (through the API)."""
    choices = [[name, label, name in HUMAN] for name, label in MILESTONES.items()]  # the properties panel's list
    return render_template("designer.html", milestones=choices)
