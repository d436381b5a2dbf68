"""Notifications in the pages: 通知 (the inbox behind the bell), 通知设置 (a person's own subscriptions), the
admins' 部门通知设置 (a department's or role's), and 重发 (resend) on a case's delivery log. Each form sends the
same command as the API (``web.api.notifications``)."""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from engine.domain.errors import GridcaseError
from engine.domain.input_limits import MAX_INTEGER
from engine.domain.notification_commands import RemoveSubscription, ResendNotification, SetSubscription
from engine.domain.notifications import CHANNELS, GROUP, KINDS, LOCALES, PERSON, TEST
from engine.persistence.read import notifications as reads
from engine.service.accounts import ROLE_GROUPS
from web.api.notifications import inbox_page, mark_read, may_edit
from web.context import bus, deps
from web.pages.auth import same_site_path
from web.pages.catalog import department_names
from web.pages.common import bp, me, signed_in
from web.policy import EDIT_GROUP_SUBSCRIPTIONS, EDIT_OWN_SUBSCRIPTIONS, RESEND_NOTIFICATIONS

EVENT_KINDS = tuple(k for k in KINDS if k != TEST)
log = logging.getLogger(__name__)


def unread_count() -> int:
    """In templates (the bell): the signed-in person's unread inbox items; 0 when the database cannot say now (an
    error page about a busy database still renders; the live stream corrects the number)."""
    try:
        with deps().uow(read_only=True) as uow:
            return reads.unread_count(uow.store, me().username)
    except (GridcaseError, SQLAlchemyError):
        log.warning("the bell could not count the unread notifications", exc_info=True)
        return 0


@bp.get("/notifications")
@signed_in()
def notifications_page() -> ResponseReturnValue:
    """通知 Notifications: the inbox, newest first, 20 a page (``?before=ID``)."""
    page = inbox_page(me().username, 20, _row_id(request.args.get("before", "")))
    return render_template("notifications.html", page=page)


@bp.post("/notifications/read")
@signed_in()
def notifications_read() -> ResponseReturnValue:
    """Mark one item (``id``) or every item (no ``id``) read."""
    chosen = request.form.get("id", "")
    item = _row_id(chosen)
    if chosen and item is None:
        abort(400, description="id must be an inbox item's number")  # never "all" for a malformed id
    mark_read(me().username, None if item is None else (item,))
    target = request.form.get("next", "")
    return redirect(target if same_site_path(target) else url_for("pages.notifications_page"))


def _row_id(raw: str) -> int | None:
    """A row id from a form or query string: ASCII digits within the widest integer column, else None."""
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_INTEGER else None


def _settings(kind: str, subject: str, groups: list[tuple[str, str]] | None) -> ResponseReturnValue:
    with deps().uow(read_only=True) as uow:
        found = reads.subscriptions_of(uow.store, kind, subject)
    return render_template("notifications_settings.html", subject_kind=kind, subject=subject, subscriptions=found,
                           channels=CHANNELS, kinds=EVENT_KINDS, locales=LOCALES, groups=groups)


@bp.get("/settings/notifications")
@signed_in(EDIT_OWN_SUBSCRIPTIONS)
def notification_settings() -> ResponseReturnValue:
    """通知设置: the person's own subscriptions (channel, address, events, language)."""
    return _settings(PERSON, me().username, None)


def group_choices() -> list[tuple[str, str]]:
    """The groups a subscription may name: the departments (by name) and the centre's roles."""
    found = [(code, f"{names['zh']} {names['en']}") for code, names in sorted(department_names(deps()).items())]
    return found + [(role, role) for role in sorted(ROLE_GROUPS)]


@bp.get("/admin/notifications")
@signed_in(EDIT_GROUP_SUBSCRIPTIONS)
def group_notification_settings() -> ResponseReturnValue:
    """部门通知设置: a department's or role's subscriptions (``?group=``), admins only."""
    groups = group_choices()
    chosen = request.args.get("group") or (groups[0][0] if groups else "")
    if chosen not in {code for code, _name in groups}:
        abort(404)
    return _settings(GROUP, chosen, groups)


def _back(kind: str, subject: str) -> ResponseReturnValue:
    if kind == GROUP:
        return redirect(url_for("pages.group_notification_settings", group=subject))
    return redirect(url_for("pages.notification_settings"))


def _form_subject() -> tuple[str, str]:
    kind = request.form.get("subject_kind", PERSON)
    subject = request.form.get("subject") or me().username
    if kind not in (PERSON, GROUP) or not may_edit(me(), kind, subject):
        abort(403)
    return kind, subject


@bp.post("/settings/notifications")
@signed_in()
def save_subscription() -> ResponseReturnValue:
    """Create or update a subscription from the form; a refusal is shown naming its field, nothing written."""
    kind, subject = _form_subject()
    form: Any = request.form
    try:
        bus().handle(SetSubscription(kind, subject, form.get("channel", ""), form.get("address", "").strip(),
                                     tuple(form.getlist("events")), form.get("locale", "zh"),
                                     form.get("enabled") == "on", actor=me().username))
        flash(_("已保存"), "success")
    except GridcaseError as exc:
        field = getattr(exc, "field", None)
        flash(f"{field}: {exc.message}" if field else exc.message, "error")
    return _back(kind, subject)


@bp.post("/settings/notifications/<int:subscription_id>/delete")
@signed_in()
def delete_subscription_page(subscription_id: int) -> ResponseReturnValue:
    """Remove one subscription the person may edit."""
    with deps().uow(read_only=True) as uow:
        found = reads.subscription(uow.store, subscription_id)
    if found is None or not may_edit(me(), found["subject_kind"], found["subject"]):
        abort(404)
    bus().handle(RemoveSubscription(subscription_id, actor=me().username))
    flash(_("已删除"), "success")
    return _back(found["subject_kind"], found["subject"])


@bp.post("/cases/<case_no>/deliveries/<int:delivery_id>/resend")
@signed_in(RESEND_NOTIFICATIONS)
def resend_delivery(case_no: str, delivery_id: int) -> ResponseReturnValue:
    """重发: queue an unknown or failed delivery again, back to the case page."""
    with deps().uow(read_only=True) as uow:
        found = reads.delivery(uow.store, delivery_id)
    if found is None:
        abort(404)
    if found["status"] not in ("unknown", "failed"):
        flash(_("只有状态为未知或失败的通知可以重发"), "error")
    else:
        bus().handle(ResendNotification(delivery_id, actor=me().username))
        flash(_("已重新排队发送"), "success")
    return redirect(url_for("pages.case_page", case_no=case_no) + "#deliveries")
