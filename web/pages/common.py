"""What every page shares: the ``pages`` blueprint, the signed-in person, roles' landing pages, HTML errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine.domain.errors import GridcaseError
from engine.service.accounts import Principal
from engine.service.deps import Deps
from web.api.auth import check_csrf
from web.api.errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("pages", __name__)

INBOX_ROLES = frozenset({"seat_operator", "shift_lead", "dispatcher", "supervisor"})
READER_ROLES = frozenset({"auditor", "admin"})
LANDING = {"collector": "pages.collector", "department_member": "pages.queue", "process_designer": "pages.designer",
           **{role: "pages.inbox" for role in INBOX_ROLES}, **{role: "pages.cases" for role in READER_ROLES}}


def bus() -> Any:
    """The app's message bus (handles engine commands)."""
    return current_app.extensions["gridcase.bus"]


def deps() -> Deps:
    """The engine's dependencies (database, clock)."""
    found: Deps = bus().deps
    return found


def me() -> Principal:
    """The signed-in person (only inside ``signed_in`` views)."""
    who: Principal = current_user.principal
    return who


def landing_url(who: Principal) -> str:
    """Where the person's work list is."""
    return url_for(LANDING.get(who.role, "pages.cases"))


def to_login() -> ResponseReturnValue:
    """To the login page, and back here afterwards (htmx is told to load the whole page)."""
    target = url_for("pages.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def signed_in(roles: frozenset[str] | set[str] | None = None) -> Callable[[F], F]:
    """Decorator: the page needs a signed-in person (else the login page), with one of ``roles`` when given
    (else 403); unsafe methods need the session's CSRF token."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return to_login()
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                check_csrf()
            if roles is not None and me().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def error_page(status: int, message: str | None = None) -> ResponseReturnValue:
    """The HTML error page in the site's style."""
    titles = {400: _("请求有误"), 401: _("请先登录"), 403: _("无权访问"), 404: _("未找到"), 405: _("不允许的操作"),
              409: _("操作冲突"), 413: _("文件太大"), 422: _("无法处理"), 429: _("尝试次数过多")}
    return render_template("error.html", status=status, title=titles.get(status, _("出错了")),
                           message=message), status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    if exc.status == 401:
        return to_login()
    return error_page(exc.status, exc.message if exc.status not in (403, 404) else None)


@bp.errorhandler(GridcaseError)
def _engine_error(exc: GridcaseError) -> ResponseReturnValue:
    return error_page(exc.http_status, exc.message)
