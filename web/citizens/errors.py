"""A refusal as the citizen reads it: the commands name the field in English (the API's and the logs' language);
the citizens' pages are Chinese-first, so each field's refusal is shown as a translated text (zh by default, en with
the locale). A post past the request limit (three full-size photos) is a JSON 413 naming ``photos``."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from engine.domain.errors import GridcaseError
from web.api.errors import error_body


def _(text: str, **values: object) -> str:
    """``text`` in the page's language (Flask-Babel's gettext, typed)."""
    return str(gettext(text, **values))


_LEFT = re.compile(r"(\d+) attempts? left")


def _field_text(field: str, message: str) -> str | None:
    """The field's refusal in the page's language (None: a field the citizen does not fill)."""
    if field == "code":
        left = _LEFT.search(message)
        if left is not None:
            return _("验证码不正确，还可尝试 %(n)s 次", n=int(left.group(1)))
        if "expired" in message:
            return _("验证码已过期，请重新获取")
        if "no code" in message or "no attempts" in message:
            return _("验证码已失效，请重新获取")
        return _("请输入短信中的6位验证码")
    texts = {"phone": _("请输入正确的手机号码（13–19开头的11位数字）"), "ticket": _("手机验证已过期，请重新验证手机"),
             "photos": _("照片最多3张，每张不超过3 MB（JPEG、PNG或WebP）"), "subtype_code": _("请选择问题类型"),
             "lon": _("请在地图上选择位置"), "lat": _("请在地图上选择位置"), "description": _("描述太长"),
             "email": _("请输入正确的电子邮箱"), "updates": _("请选择进度通知方式"),
             "rating": _("请选择满意、基本满意或不满意"), "comment": _("意见最多500字"),
             "address": _("无法识别您的网络地址，请稍后再试")}
    if field.startswith("photos"):
        field = "photos"
    return texts.get(field)


def _conflict_text(message: str) -> str:
    """A rating refused by the case's state (409)."""
    if "not closed" in message:
        return _("案件尚未结案，结案后才能评价")
    if "not accepted" in message:
        return _("该反映未予立案，没有可评价的结果")
    if "changed" in message:
        return _("案件刚刚有变化，请再试一次")
    return _("已经评价过了")


def citizen_text(exc: GridcaseError) -> str:
    """What the citizen is shown for ``exc``."""
    if exc.http_status == 429:
        return _("操作太频繁，请 %(seconds)s 秒后再试", seconds=getattr(exc, "retry_after", None) or 60)
    if exc.http_status == 503:
        return _("短信服务暂不可用，请稍后再试")
    if exc.http_status == 409:
        return _conflict_text(exc.message)
    text = _field_text(exc.field, exc.message) if exc.field else None
    return text or _("提交的内容有误，请检查后再试")


def install(bp: Blueprint) -> None:
    """JSON refusals in the page's language on the report page's API (/citizen/api/*)."""

    @bp.errorhandler(GridcaseError)
    def _refused(exc: GridcaseError) -> ResponseReturnValue:
        text = citizen_text(exc)
        named = getattr(exc, "fields", None) or ({exc.field: exc.message} if exc.field else {})
        fields = {name: _field_text(name, str(message)) or text for name, message in named.items()}
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return jsonify(error_body(exc.http_status, text, fields)), exc.http_status, headers

    @bp.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
        text = _("照片太大：最多3张，每张不超过3 MB")
        return jsonify(error_body(413, text, {"photos": text})), 413
