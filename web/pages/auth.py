"""Signing in and out; each role lands on its own work list."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from engine.domain.commands import EndSessions
from engine.domain.milestones import HUMAN, MILESTONES
from engine.service.accounts import session_user
from web import context
from web.api import check_login
from web.api.auth import check_csrf
from web.api.errors import ApiError
from web.pages.common import bp, landing_url, me, signed_in
from web.policy import DESIGN_PROCESSES

_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")  # a browser drops tabs and newlines from a URL: "/\t/x" is "//x"
_MAX_NEXT = 2000


def same_site_path(candidate: str) -> bool:
    """True when a browser reads ``candidate`` as a path on this site: '/' then not '/' (a backslash counts as a
    slash), no scheme, no host, and no control character (which a browser drops, or a header would split on)."""
    path = candidate.replace("\\", "/")
    if _CONTROLS.search(path) or not path.startswith("/") or path.startswith("//"):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """The page to return to after signing in, or None (then the person's home page).

    Only a same-site relative path is followed, judged as the browser reads it (backslashes as slashes; a tab or
    newline, which the browser drops, is never followed) and again after each percent-decoding (a proxy or a
    second hop may decode what this check did not): ``/%09/evil.example`` is ``//evil.example``.
    """
    if not target or len(target) > _MAX_NEXT:
        return None
    candidate = target
    for _round in range(4):
        if not same_site_path(candidate):
            return None
        decoded = unquote(candidate)
        if decoded == candidate:
            return target
        candidate = decoded
    return None  # still encoded after three decodings: no page of this site needs that


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
        return render_template("login.html", next=safe_next(request.args.get("next")) or "")
    check_csrf()
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    following = safe_next(request.form.get("next")) or ""
    if not username or not password:
        return render_template("login.html", error=_("请输入用户名和密码"), username=username, next=following), 400
    known = session_user(context.deps(), username)  # the epoch before the check: a password changed meanwhile
    try:                                              # ends this session too
        who = check_login(username, password)
    except ApiError as exc:
        return render_template("login.html", error=_login_error(exc.status), username=username,
                               next=following), exc.status
    from web.app import SignedIn  # here: web.app imports this package

    session.clear()  # a new session (and CSRF token) for the person signing in
    login_user(SignedIn(who, known[1] if known else 0))
    return redirect(following or landing_url(who))


def _login_error(status: int) -> str:
    """What the login page says for a refusal of ``check_login``."""
    messages = {401: _("用户名或密码错误"), 403: _("机器账号不能用密码登录，请使用管理员签发的令牌")}
    return str(messages.get(status) or _("登录失败次数过多，请稍后再试"))


@bp.post("/logout")
@signed_in()
def logout() -> ResponseReturnValue:
    """Sign out (POST with the CSRF token): every session of the person ends, on every device, and a copy of the
    session cookie stops working too."""
    context.bus().handle(EndSessions(me().username, actor=me().username))
    logout_user()
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/designer")
@signed_in(DESIGN_PROCESSES)
def designer() -> ResponseReturnValue:
    """The process designer: BPMN and DMN modelers, drafts, validation and deployment (through the API)."""
    choices = [[name, label, name in HUMAN] for name, label in MILESTONES.items()]  # the properties panel's list
    return render_template("designer.html", milestones=choices)
