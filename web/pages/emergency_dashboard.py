"""The emergency command dashboard (应急指挥大屏) for a large screen and the printable after-action report (事后报告)
(docs/emergency.md). Centre roles, auditors and admins (READ_EMERGENCIES).

The dashboard page draws once; ``emergency_dashboard.js`` fetches ``GET /api/v1/emergencies/{id}/dashboard`` and
draws it again whenever the live channel says a task list the emergency touches changed (its own event stream here,
``/emergencies/{id}/dashboard/stream``: the live hub's streams listen to task groups, and a dashboard listens to
every group an incident or an assembly call moves — the departments, the centre, the area's collectors, the called
people), falling back to polling every 5 s while the stream is down. The report is rendered on the server.
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Callable, Iterator

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.campaigns.hazard_survey import emergency_surveys, survey_command
from city.emergency.dashboard import dashboard, live_groups, report
from engine.domain.errors import GridcaseError, NotFound
from engine.service.accounts import session_user
from engine.service.deps import Deps
from web.api.errors import ApiError
from web.context import bus, deps
from web.live import HUB, TAB, hub
from web.live.feeds import start_feed
from web.live.hub import Hub, Stream, TooManyStreams
from web.pages.common import bp, me, signed_in
from web.policy import READ_EMERGENCIES, RUN_CAMPAIGNS, allows

CENTRE_GROUPS = ("seat_operator", "shift_lead", "dispatcher", "supervisor")
HEARTBEAT = 15.0  # seconds between two comments on an idle stream (proxies keep it open)
RECHECK = 5.0  # seconds between two looks at the stream's account
RETRY_MS = 5000


def kind_labels() -> dict[str, str]:
    """Emergency kinds, in the page's language."""
    return {"typhoon": _("台风"), "flood": _("洪涝"), "rainstorm": _("暴雨"), "fire": _("火灾"), "other": _("其他")}


def state_labels() -> dict[str, str]:
    """Incident, hazard and assembly states, in the page's language."""
    return {"reported": _("已上报"), "dispatched": _("已派遣"), "disposed": _("已处置"), "closed": _("已结案"),
            "watched": _("监控中"), "escalated": _("已升级"), "fixed": _("已整改"), "recorded": _("已登记"),
            "called": _("已通知"), "acknowledged": _("已确认"), "checked_in": _("已到岗")}


def timeline_labels() -> dict[str, str]:
    """The after-action report's timeline events, in the page's language."""
    return {"declared": _("宣布应急"), "starts": _("应急期开始"), "first_acknowledged": _("首人确认"),
            "first_checked_in": _("首人到岗"), "first_incident": _("首个事件"), "first_hazard": _("首个隐患"),
            "assembled": _("集结完成"), "ended": _("应急结束")}


def _texts() -> dict[str, str]:
    return {**state_labels(), "live": _("实时"), "polling": _("轮询"), "failed": _("加载失败"),
            "incidents": _("事件"), "hazards": _("隐患"), "none": _("暂无")}


@bp.get("/emergencies/<int:emergency_id>/dashboard")
@signed_in(READ_EMERGENCIES)
def emergency_dashboard_page(emergency_id: int) -> ResponseReturnValue:
    """The large-screen dashboard (1920×1080); 404 for an unknown emergency. Its hazard surveys are linked; those
    who may start campaigns (RUN_CAMPAIGNS) get the button that starts one (a second one after a confirm)."""
    return _dashboard_page(emergency_id)


def _dashboard_page(emergency_id: int, survey_error: str = "", status: int = 200) -> ResponseReturnValue:
    first = dashboard(deps(), emergency_id)
    api = {"dashboard": url_for("api_emergency_dashboard.emergency_dashboard", emergency_id=emergency_id),
           "stream": url_for("pages.emergency_dashboard_stream", emergency_id=emergency_id),
           "grids": url_for("api_city.grids"),
           "case": url_for("pages.case_page", case_no="CASE")}
    return render_template("emergency_dashboard.html", d=first, api=api, texts=_texts(), kinds=kind_labels(),
                           states=state_labels(), surveys=emergency_surveys(deps(), emergency_id),
                           can_survey=allows(me(), RUN_CAMPAIGNS), survey_error=survey_error), status


@bp.post("/emergencies/<int:emergency_id>/hazard-survey")
@signed_in(RUN_CAMPAIGNS)
def start_hazard_survey(emergency_id: int) -> ResponseReturnValue:
    """发起隐患排查: the emergency's hazard survey (``StartCampaign``, kind hazard_survey, its area and the hazard
    topics); with a survey of it running only when the form says ``another`` (the button asks first). Goes to
    the survey's progress page; a refusal shows on the dashboard."""
    who = me()
    another = request.form.get("another") == "1"
    try:
        started = bus().handle(survey_command(deps(), emergency_id, who.username, who.actor_kind, another))
    except NotFound:
        abort(404)
    except GridcaseError as exc:
        if exc.field == "another":  # a survey of the emergency is running: the button asks before another
            return _dashboard_page(emergency_id, _("本次应急已发起隐患排查：再次发起需确认"), 409)
        fields = getattr(exc, "fields", None) or {exc.field or "general": exc.message}
        return _dashboard_page(emergency_id, "; ".join(f"{k}: {v}" for k, v in sorted(fields.items())),
                               exc.http_status)
    return redirect(url_for("pages.campaign_progress_page", campaign_id=started["campaign_id"]))


@bp.get("/emergencies/<int:emergency_id>/report")
@signed_in(READ_EMERGENCIES)
def emergency_report_page(emergency_id: int) -> ResponseReturnValue:
    """The printable after-action report (A4); 404 for an unknown emergency."""
    return render_template("emergency_dashboard_report.html", r=report(deps(), emergency_id), kinds=kind_labels(),
                           states=state_labels(), events=timeline_labels())


def watched_groups(emergency_id: int) -> frozenset[str]:
    """The task groups (and accounts) whose task lists an incident or an assembly call of the emergency moves:
    the centre's, the departments', the area's collectors', the called people."""
    return frozenset(CENTRE_GROUPS) | live_groups(deps(), emergency_id)


def _still_allowed(engine_deps: Deps, username: str) -> Callable[[], bool]:
    """Whether the stream's account may still read the emergency: enabled, the same session epoch, its role
    still READ_EMERGENCIES (a disabled account or ended session stops hearing, as on the live task lists)."""
    joined = session_user(engine_deps, username)
    epoch = None if joined is None else joined[1]

    def check() -> bool:
        found = session_user(engine_deps, username)
        return found is not None and found[1] == epoch and found[0].role in READ_EMERGENCIES

    return check


def _frames(registry: Hub, stream: Stream, still_allowed: Callable[[], bool]) -> Iterator[str]:
    """``changed`` on every task-list change the stream hears, a comment when idle; the account is looked at
    again every ``RECHECK`` seconds and the stream ends (``ended``) once it may no longer read."""
    try:
        yield f"retry: {RETRY_MS}\n\n"
        yield f"event: changed\ndata: {json.dumps({'reason': 'joined'})}\n\n"
        wrote = checked = time.monotonic()
        while not registry.closed.is_set():
            try:
                event = stream.events.get(timeout=max(0.1, min(HEARTBEAT - (time.monotonic() - wrote),
                                                               RECHECK - (time.monotonic() - checked))))
            except queue.Empty:
                event = ("idle", {})
            if time.monotonic() - checked >= RECHECK:
                checked = time.monotonic()
                if not still_allowed():
                    yield 'event: ended\ndata: {"reason": "account changed"}\n\n'
                    return
            if event is None:
                return
            if event[0] == "tasks":
                yield f"event: changed\ndata: {json.dumps(event[1], ensure_ascii=False)}\n\n"
                wrote = time.monotonic()
            elif time.monotonic() - wrote >= HEARTBEAT:
                yield ": keep-alive\n\n"  # a write to a gone client fails here, ending the stream
                wrote = time.monotonic()
    finally:
        registry.leave(stream)


@bp.get("/emergencies/<int:emergency_id>/dashboard/stream")
@signed_in(READ_EMERGENCIES)
def emergency_dashboard_stream(emergency_id: int) -> ResponseReturnValue:
    """The dashboard's live events (``changed``: fetch the figures again); one stream per tab (``?tab=``)."""
    if "text/event-stream" not in [kind for kind, _quality in request.accept_mimetypes]:
        raise ApiError(406, "this is a server-sent event stream: send Accept: text/event-stream")
    groups = watched_groups(emergency_id)
    registry, engine_deps = hub(), deps()
    allowed = _still_allowed(engine_deps, me().username)
    poll_every = float(current_app.extensions[HUB + ".poll_every"])
    tab = request.args.get("tab", "")
    try:
        joined = registry.join(me().username, groups, lambda h: start_feed(engine_deps, h, poll_every),
                               tab=f"dash-{tab}" if TAB.fullmatch(tab) else None)
    except TooManyStreams as exc:
        raise ApiError(429 if exc.per_account else 503, str(exc), retry_after=30) from exc
    response = Response(_frames(registry, joined, allowed), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.call_on_close(lambda: registry.leave(joined))
    return response

