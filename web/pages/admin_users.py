"""The users pages (用户 / Users, ``/admin/users``): find people and machine clients, add one, and on a user's
page change their role and place, disable or enable them, reset their password and list, issue and revoke their
API tokens — each one command (``engine.domain.account_commands`` and ``engine.domain.commands``), the same as the
API and ``gridcase user``. A one-time password or a new token is shown once, in the POST's own uncached response,
never through the session cookie (signed, not encrypted)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.admin import views
from engine.domain.account_commands import ChangeUserRole, DisableUser, ResetPassword
from engine.domain.commands import AddUser, IssueApiToken, RevokeApiToken
from engine.service.accounts import ROLES, list_tokens
from web.context import deps, settings
from web.pages.admin import bp, form, run
from web.pages.common import me, signed_in
from web.policy import MANAGE_USERS


@bp.get("/admin/users")
@signed_in(MANAGE_USERS)
def users_page() -> ResponseReturnValue:
    """Users matching ``?q=`` and the form to add one."""
    query = request.args.get("q", "")
    return render_template("admin/users.html", users=views.users(deps(), query), query=query, role_names=ROLES,
                           departments=views.departments(deps()))


@bp.post("/admin/users")
@signed_in(MANAGE_USERS)
def add_user() -> ResponseReturnValue:
    """Add a user (``AddUser``) with the password typed."""
    added = run(AddUser(form("username"), form("display_name"), form("role"), request.form.get("password", ""),
                        form("department") or None, form("district") or None, actor=me().username), _("已添加用户"))
    if added is None:
        return redirect(url_for("admin_pages.users_page"))
    return redirect(url_for("admin_pages.user_page", username=added.username))


def _user_page(username: str, secret: str | None = None) -> ResponseReturnValue:
    """The user's page; with ``secret`` (a one-time password or a new token) shown in this response only."""
    found = views.user(deps(), username)
    if found is None:
        abort(404)
    now = deps().clock.now()
    tokens = [(t, t.state(now)) for t in list_tokens(deps(), username)]
    page = render_template("admin/user.html", user=found, role_names=ROLES, departments=views.departments(deps()),
                           tokens=tokens, changes=views.history(deps(), "user", username), secret=secret)
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/admin/users/<username>")
@signed_in(MANAGE_USERS)
def user_page(username: str) -> ResponseReturnValue:
    """One user: role and place, state, password reset, tokens, versions."""
    return _user_page(username)


@bp.post("/admin/users/<username>")
@signed_in(MANAGE_USERS)
def edit_user(username: str) -> ResponseReturnValue:
    """The user page's forms: ``action`` role, disable, enable, reset (password), token, revoke."""
    action, actor, comment = form("action"), me().username, form("comment")
    if action in ("disable", "enable"):
        run(DisableUser(username, actor, enable=action == "enable", comment=comment),
            _("已停用") if action == "disable" else _("已启用"))
    elif action == "role":
        run(ChangeUserRole(username, actor, form("role") or None, form("department"), form("district"), comment),
            _("已保存"))
    elif action == "reset":
        generated = run(ResetPassword(username, actor, request.form.get("password") or None, comment),
                        _("密码已重置，该用户的会话与令牌已失效"))
        if generated:  # shown in this response, never in the (signed, not encrypted) session cookie
            return _user_page(username, _("一次性密码（只显示这一次）：%(password)s", password=generated))
    elif action == "token":
        token = run(IssueApiToken(username, form("name") or "admin", actor=actor, days=settings().token_days),
                    _("已签发令牌"))
        if token:
            return _user_page(username, _("新令牌（只显示这一次）：%(token)s", token=token))
    elif action == "revoke" and form("token_id").isdigit():
        run(RevokeApiToken(username, int(form("token_id")), actor=actor), _("令牌已撤销"))
    else:
        abort(400)
    return redirect(url_for("admin_pages.user_page", username=username))
