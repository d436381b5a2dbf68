"""What every page shares: the ``pages`` blueprint, the signed-in person, roles' landing pages, HTML errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine.domain.errors import GridcaseError
from engine.service.accounts import Principal
from web.api.auth import check_csrf
from web.api.errors import ApiError
from web.policy import (
    DESIGN_PROCESSES,
    READ_AUDIT,
    WORK_COLLECTOR_TASKS,
    WORK_DEPARTMENT_QUEUE,
    WORK_INBOX,
    Capability,
    allows,
)

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("pages", __name__)

# Where a person lands: the page of the first of these capabilities their role has, else the recent cases.
LANDING = (("pages.cases", READ_AUDIT), ("pages.inbox", WORK_INBOX), ("pages.queue", WORK_DEPARTMENT_QUEUE),
           ("pages.collector", WORK_COLLECTOR_TASKS), ("pages.designer", DESIGN_PROCESSES))


def me() -> Principal:
    """The signed-in person (only inside ``signed_in`` views)."""
    who: Principal = current_user.principal
    return who


def landing_url(who: Principal) -> str:
    """Where the person's work list is."""
    return url_for(next((page for page, capability in LANDING if allows(who, capability)), "pages.cases"))


def to_login() -> ResponseReturnValue:
    """To the login page, and back here afterwards (htmx is told to load the whole page)."""
    target = url_for("pages.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def signed_in(capability: Capability | None = None) -> Callable[[F], F]:
    """Decorator: the page needs a signed-in person (else the login page), whose role has ``capability`` when
    given (else 403; ``web.policy``); unsafe methods need the session's CSRF token."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return to_login()
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                check_csrf()
            if capability is not None and not allows(me(), capability):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def page_arg(most: int = 999_999) -> int:
    """The ``?page=`` query argument: a page number from 1 to ``most``; anything else reads as the first page (a
    page's link, not a form: nothing to name)."""
    text = request.args.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= most else 1


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
