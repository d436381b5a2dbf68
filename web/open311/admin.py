"""The api keys' admin page (``/admin/api-keys``, admins): the keys (prefix, name, contact, limit, created, last
used, revoked), a form making one (the key shown once, on the page that made it) and a revoke button with a
confirmation. It sends the same commands as the API and ``gridcase open311 keys``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.open311.commands import CreateApiKey, RevokeApiKey
from city.open311.keys import key_list
from web.context import deps
from web.pages.admin import form, run
from web.pages.common import me, signed_in
from web.policy import MANAGE_OPEN311_KEYS

bp = Blueprint("open311_admin", __name__)


def _page(made: dict[str, object] | None = None) -> str:
    return render_template("admin/api_keys.html", keys=key_list(deps()), made=made)


@bp.get("/admin/api-keys")
@signed_in(MANAGE_OPEN311_KEYS)
def api_keys_page() -> ResponseReturnValue:
    """The keys and the form."""
    return _page()


@bp.post("/admin/api-keys")
@signed_in(MANAGE_OPEN311_KEYS)
def create_api_key() -> ResponseReturnValue:
    """Make a key (``CreateApiKey``): the page again, with the key shown this once; a refusal is flashed."""
    text = form("per_minute")
    per_minute = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else (None if not text else -1)
    made = run(CreateApiKey(form("name"), form("contact"), per_minute, me().username), _("已创建 API 密钥"))
    if made is None:
        return redirect(url_for("open311_admin.api_keys_page"))
    return _page(made)


@bp.post("/admin/api-keys/<int:key_id>/revoke")
@signed_in(MANAGE_OPEN311_KEYS)
def revoke_api_key(key_id: int) -> ResponseReturnValue:
    """Revoke a key (``RevokeApiKey``) once its confirmation box is ticked."""
    if form("confirm") != "1":
        flash(_("请勾选“确认吊销”"), "error")
        return redirect(url_for("open311_admin.api_keys_page"))
    run(RevokeApiKey(key_id, me().username), _("已吊销 API 密钥"))
    return redirect(url_for("open311_admin.api_keys_page"))
