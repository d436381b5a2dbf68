"""Notifications in the API (docs/notifications.md, "In the browser"): the caller's inbox (the bell), marking it
read, subscriptions (a person's own; a group's, or anyone's, for admins), a case's delivery log and resending one
delivery. Every write is one command: ``MarkNotificationsRead``, ``SetSubscription``, ``RemoveSubscription``,
``ResendNotification``; the commands check the values (422 naming the field)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine.domain.input_limits import MAX_INTEGER
from engine.domain.notification_commands import (
    MarkNotificationsRead,
    RemoveSubscription,
    ResendNotification,
    SetSubscription,
)
from engine.domain.notifications import GROUP, PERSON
from engine.persistence.read import notifications as reads
from engine.service.accounts import Principal
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body, visible_case
from web.api.errors import ApiError
from web.api.query_args import whole_arg
from web.policy import EDIT_GROUP_SUBSCRIPTIONS, EDIT_OWN_SUBSCRIPTIONS, READ_CASES, RESEND_NOTIFICATIONS, allows

bp = Blueprint("api_notifications", __name__)
PAGE, MAX_PAGE = 20, 100
RESENDABLE = ("unknown", "failed")
FIELDS = {"subject_kind": str, "subject": str, "channel": str, "address": str, "events": list, "locale": str,
          "enabled": bool}


HOST_SCHEMES = ("json", "jsons", "http", "https", "form", "forms", "xml", "xmls", "mailto", "mailtos")


def masked(address: str | None) -> str:
    """An address as the delivery log shows it: enough to tell which, not enough to use (a mailbox's first letter
    and domain, a number's last four digits, a webhook's scheme and host). A URL whose "host" is a key or a token
    (``wecombot://KEY``, ``dingtalk://TOKEN/``, ``tgram://…``, every SMS gateway) shows only its scheme and its
    last four characters."""
    if not address:
        return ""
    if "://" in address:
        scheme, rest = address.split("://", 1)
        if scheme.lower() not in HOST_SCHEMES:
            tail = rest.rstrip("/")[-4:]
            return f"{scheme}://…{tail}" if len(rest.rstrip("/")) > 8 else f"{scheme}://…"
        host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
        return f"{scheme}://{host.split(':')[0] or '…'}/…"
    if "@" in address:
        name, domain = address.rsplit("@", 1)
        return f"{name[:1]}…@{domain}"
    digits = re.sub(r"\D", "", address)
    return f"…{digits[-4:]}" if len(digits) >= 4 else "…"


def inbox_page(account: str, limit: int, before: int | None) -> dict[str, Any]:
    """One page of ``account``'s inbox, newest first, with the unread count and the next page's ``before``."""
    with context.deps().uow(read_only=True) as uow:
        items = reads.inbox(uow.store, account, limit, before)
        unread = reads.unread_count(uow.store, account)
    return {"items": items, "unread": unread, "next_before": items[-1]["id"] if len(items) == limit else None}


@bp.get("/notifications")
@authenticated()
def list_notifications() -> ResponseReturnValue:
    """The caller's inbox: ``?limit=`` (1–100, 20), ``?before=ID`` (the next page)."""
    limit = whole_arg("limit", PAGE, 1, MAX_PAGE)
    before = whole_arg("before", None, 1, MAX_INTEGER)  # within the widest integer column
    return jsonify(inbox_page(caller().username, limit, before))


def mark_read(account: str, ids: tuple[int, ...] | None) -> int:
    """Mark the items read (every one when ``ids`` is None); the unread count after, told to the account's other
    streams in this process at once (other processes hear it from the database)."""
    context.bus().handle(MarkNotificationsRead(account, ids))
    with context.deps().uow(read_only=True) as uow:
        unread = reads.unread_count(uow.store, account)
    current_app.extensions["gridcase.live"].inbox(account, unread)
    return unread


@bp.post("/notifications/read")
@authenticated()
def read_notifications() -> ResponseReturnValue:
    """``{"ids": [..]}`` marks those of the caller's items read, ``{"all": true}`` every one (one of the two)."""
    body = json_body()
    ids, every = body.get("ids"), body.get("all")
    if every is True and ids is None:
        return jsonify({"unread": mark_read(caller().username, None)})
    if not isinstance(ids, list) or every is not None or len(ids) > MAX_PAGE or not all(
            isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids):
        raise ApiError(422, "the request has invalid fields",
                       {"ids": f"must be a list of at most {MAX_PAGE} inbox item ids (or send all: true instead)"})
    return jsonify({"unread": mark_read(caller().username, tuple(ids))})


def may_edit(who: Principal, subject_kind: str, subject: str) -> bool:
    """Whether ``who`` may see and change the subscriptions of ``subject`` (a person's own; admins any)."""
    if allows(who, EDIT_GROUP_SUBSCRIPTIONS):
        return True
    return subject_kind == PERSON and subject == who.username and allows(who, EDIT_OWN_SUBSCRIPTIONS)


def _subject() -> tuple[str, str]:
    who = caller()
    kind = request.args.get("subject_kind") or PERSON
    subject = request.args.get("subject") or who.username
    if kind not in (PERSON, GROUP):
        raise ApiError(422, "the request has invalid fields", {"subject_kind": "must be person or group"})
    if not may_edit(who, kind, subject):
        raise ApiError(403, f"role {who.role} may not {EDIT_GROUP_SUBSCRIPTIONS.name}")
    return kind, subject


@bp.get("/notification-subscriptions")
@authenticated(EDIT_OWN_SUBSCRIPTIONS)
def list_subscriptions() -> ResponseReturnValue:
    """The caller's subscriptions, or (``?subject_kind=group&subject=350602-D02``, admins) another's."""
    kind, subject = _subject()
    with context.deps().uow(read_only=True) as uow:
        found = reads.subscriptions_of(uow.store, kind, subject)
    return jsonify({"subject_kind": kind, "subject": subject, "subscriptions": found})


def subscription_command(body: dict[str, Any], who: Principal) -> SetSubscription:
    """The ``SetSubscription`` a body asks for (the JSON types checked here, the values by the command); 403 when
    the caller may not edit that subject's (asked first: a refused caller learns nothing of the fields)."""
    kind, subject = body.get("subject_kind", PERSON), body.get("subject") or who.username
    if not may_edit(who, str(kind), str(subject)):
        raise ApiError(403, f"role {who.role} may not {EDIT_GROUP_SUBSCRIPTIONS.name}")
    wrong = {name: f"must be a {kind.__name__}" for name, kind in FIELDS.items()
             if name in body and not isinstance(body[name], kind)}
    if "events" in body and isinstance(body["events"], list) and not all(isinstance(e, str) for e in body["events"]):
        wrong["events"] = "must be a list of event kinds"
    unknown = sorted(set(body) - set(FIELDS) - {"id"})
    wrong.update({name: "unknown field" for name in unknown})
    if "channel" not in body:
        wrong["channel"] = "is required"
    if wrong:
        raise ApiError(422, "the request has invalid fields", wrong)
    return SetSubscription(kind, subject, body["channel"], body.get("address", ""), tuple(body.get("events", ())),
                           body.get("locale", "zh"), body.get("enabled", True), actor=who.username)


@bp.put("/notification-subscriptions")
@authenticated(EDIT_OWN_SUBSCRIPTIONS)
def put_subscription() -> ResponseReturnValue:
    """Create or update one subscription (keyed by subject, channel and address): ``{channel, address?, events?,
    locale?, enabled?, subject_kind?, subject?}``; the subject is the caller unless an admin names another."""
    command = subscription_command(json_body(), caller())
    saved_id = int(context.bus().handle(command))  # the subscription's id
    with context.deps().uow(read_only=True) as uow:
        saved = reads.subscription(uow.store, saved_id)
    return jsonify(saved)


@bp.delete("/notification-subscriptions/<int:subscription_id>")
@authenticated(EDIT_OWN_SUBSCRIPTIONS)
def delete_subscription(subscription_id: int) -> ResponseReturnValue:
    """Remove one subscription the caller may edit (404 for one they may not: its existence is not told)."""
    who = caller()
    with context.deps().uow(read_only=True) as uow:
        found = reads.subscription(uow.store, subscription_id)
    if found is None or not may_edit(who, found["subject_kind"], found["subject"]):
        raise ApiError(404, f"subscription {subscription_id} not found")
    context.bus().handle(RemoveSubscription(subscription_id, actor=who.username))
    return "", 204


def delivery_log(case_id: int) -> list[dict[str, Any]]:
    """The case's notifications with their deliveries, addresses masked (the case page and the API)."""
    with context.deps().uow(read_only=True) as uow:
        found = reads.deliveries_of_case(uow.store, case_id)
    for item in found:
        for delivery in item["deliveries"]:
            delivery["address"] = masked(delivery["address"])
            delivery["resendable"] = delivery["status"] in RESENDABLE
    return found


@bp.get("/cases/<case_no>/notifications")
@authenticated(READ_CASES)
def case_notifications(case_no: str) -> ResponseReturnValue:
    """The delivery log of a case the caller sees: each notification, its deliveries and their attempts."""
    case = visible_case(case_no)
    return jsonify({"case_no": case["case_no"], "notifications": delivery_log(case["id"])})


@bp.post("/notifications/deliveries/<int:delivery_id>/resend")
@authenticated(RESEND_NOTIFICATIONS)
def resend(delivery_id: int) -> ResponseReturnValue:
    """Queue an ``unknown`` or ``failed`` delivery again (supervisors, admins); 409 for any other status."""
    with context.deps().uow(read_only=True) as uow:
        found = reads.delivery(uow.store, delivery_id)
    if found is None:
        raise ApiError(404, f"delivery {delivery_id} not found")
    if found["status"] not in RESENDABLE:
        raise ApiError(409, f"delivery {delivery_id} is {found['status']}: only an unknown or failed one is resent")
    context.bus().handle(ResendNotification(delivery_id, actor=caller().username))
    with context.deps().uow(read_only=True) as uow:
        after = reads.delivery(uow.store, delivery_id)
    assert after is not None
    return jsonify({**after, "address": masked(after["address"])})


# The OpenAPI entries (web/api/openapi.py): path, method, summary, request, success, response, errors.
NOTIFICATION_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/events/stream", "get", "The caller's live events (text/event-stream): inbox {unread}, tasks {group}", None,
     200, None, (401, 406, 429, 503)),
    ("/notifications", "get", "The caller's inbox, newest first (?limit=1-100, ?before=ID)", None, 200, None,
     (401, 422)),
    ("/notifications/read", "post", "Mark inbox items read: {ids: [..]} or {all: true}", None, 200, None,
     (400, 401, 422)),
    ("/notification-subscriptions", "get", "Subscriptions of the caller (or, admins, ?subject_kind=&subject=)",
     None, 200, None, (401, 403, 422)),
    ("/notification-subscriptions", "put", "Create or update a subscription (SetSubscription)", None, 200, None,
     (400, 401, 403, 422)),
    ("/notification-subscriptions/{subscription_id}", "delete", "Remove a subscription", None, 204, None,
     (401, 403, 404)),
    ("/cases/{case_no}/notifications", "get", "The case's notifications and their delivery log (addresses masked)",
     None, 200, None, (401, 403, 404)),
    ("/notifications/deliveries/{delivery_id}/resend", "post", "Queue an unknown or failed delivery again",
     None, 200, None, (401, 403, 404, 409)),
]
