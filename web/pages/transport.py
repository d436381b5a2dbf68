"""Transport supervision's pages (渣土运输监管; docs/transport.md), READ_TRANSPORT (a department member only of a
supervising department: ``web.policy.allows`` asks its scope, as the navigation's link does): the live map of every
vehicle (``transport_live.js`` polls ``GET /api/v1/transport/vehicles/live`` every 10 s), a vehicle's registry facts and
permits with its track played back over a chosen period (``transport_playback.js``: the track API, play/pause,
speed, slider; the permit corridors, sites and alert points drawn), the alert list (filters: company, kind, state,
period; counts by company and kind) and one alert (its track segment, facts and cases). Everything is read through
``city.transport.views``, as the API reads it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.persistence.read.gps_views import AlertFilter
from city.transport import views
from engine.domain.city_zone import city_zone
from engine.domain.errors import NotFound
from web.context import deps
from web.pages.common import bp, signed_in
from web.policy import READ_TRANSPORT

ALERT_DAYS = 7  # the alert list's default period: the last 7 days
LONGEST_DAYS = 366
YEARS = (2000, 2999)  # the periods the API takes (web.api.transport_views.YEARS)


def kind_labels() -> dict[str, str]:
    """Alert kinds, in the page's language."""
    return {"off_route": _("偏离路线"), "suspected_dumping": _("疑似偷倒"), "out_of_hours": _("超时段运输"),
            "no_permit": _("无证运输"), "silent": _("信号中断")}


def state_labels() -> dict[str, str]:
    """Vehicle states on the live map and alert review states, in the page's language."""
    return {"alert": _("有告警"), "moving": _("行驶中"), "stopped": _("停车"), "silent": _("离线"),
            "no_position": _("无定位"), "open": _("待复核"), "confirmed": _("已确认"), "dismissed": _("误报"),
            "active": _("有效"), "revoked": _("已撤销")}


def severity_labels() -> dict[str, str]:
    """Alert severities, in the page's language."""
    return {"high": _("高"), "medium": _("中"), "low": _("低")}


def _texts() -> dict[str, str]:
    """What the scripts show, in the page's language."""
    return {**state_labels(), **{f"kind_{k}": v for k, v in kind_labels().items()}, "failed": _("加载失败"),
            "loading": _("加载中…"), "no_track": _("该时段没有轨迹"), "play": _("播放"), "pause": _("暂停"),
            "speed_kmh": _("速度"), "company": _("运输企业"), "updated": _("更新于"), "points": _("轨迹点"),
            "thinned": _("已抽稀"), "corridor": _("核准路线"), "site": _("场地"), "alert": _("告警"),
            "track": _("轨迹")}


def _labels() -> dict[str, Any]:
    """The label tables and the city's UTC offset in minutes (the scripts show and pick times in the city's zone)."""
    offset = deps().clock.now().astimezone(city_zone()).utcoffset()
    return {"kinds": kind_labels(), "states": state_labels(), "severities": severity_labels(), "texts": _texts(),
            "offset": int(offset.total_seconds() // 60) if offset else 0}


@bp.get("/transport")
@signed_in(READ_TRANSPORT)
def transport_live_page() -> ResponseReturnValue:
    """The live map: every vehicle at its newest position, coloured by state, counts by state; polled every 10 s."""
    api = {"live": url_for("api_transport_views.live_vehicles"),
           "vehicle": url_for("pages.transport_vehicle_page", plate="PLATE")}
    return render_template("transport_live.html", api=api, **_labels())


@bp.get("/transport/vehicles/<plate>")
@signed_in(READ_TRANSPORT)
def transport_vehicle_page(plate: str) -> ResponseReturnValue:
    """A vehicle's registry facts and permits, and its track played back over a period (default the last 24 h)."""
    try:
        found = views.vehicle(deps(), plate)
    except NotFound:
        abort(404)
    until = deps().clock.now()
    api = {"track": url_for("api_transport_views.vehicle_track", plate=plate),
           "alert": url_for("pages.transport_alert_page", alert_id=0)}  # the script puts the id for the 0
    # the inputs hold minutes: "to" rounds up, so the newest position is in the first playback
    period = {"from": _local_input(until - timedelta(hours=24)), "to": _local_input(until + timedelta(minutes=1))}
    return render_template("transport_vehicle.html", found=found, api=api, period=period, **_labels())


def _local_input(moment: datetime) -> str:
    """A time as a datetime-local input's value in the city's zone."""
    return moment.astimezone(city_zone()).strftime("%Y-%m-%dT%H:%M")


def _day(text: str, field: str, errors: dict[str, str]) -> date | None:
    """A day of the years 2000–2999, as the API's periods (a day near year 1 or 9999 has no start or end in UTC);
    None with the field's error otherwise."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[field] = _("请输入日期（年-月-日）")
        return None
    if not YEARS[0] <= day.year <= YEARS[1]:
        errors[field] = _("请输入 2000–2999 年间的日期")
        return None
    return day


def alert_filter(args: Any, today: date) -> tuple[AlertFilter, dict[str, str], dict[str, str]]:
    """The list's filter from the query string (days in the city's zone, both included), the form's values and its
    errors by field (a bad value falls back to the default)."""
    errors: dict[str, str] = {}
    first = _day(args.get("from") or (today - timedelta(days=ALERT_DAYS - 1)).isoformat(), "from", errors)
    last = _day(args.get("to") or today.isoformat(), "to", errors)
    first, last = first or today - timedelta(days=ALERT_DAYS - 1), last or today
    if first > last:
        errors["to"] = _("结束日期不能早于开始日期")
        first = last
    if (last - first).days >= LONGEST_DAYS:
        errors["from"] = _("时段最长 366 天")
        first = last - timedelta(days=LONGEST_DAYS - 1)
    picked = {name: args.get(name) or "" for name in ("company", "kind", "state")}
    for name, allowed in (("kind", views.KINDS), ("state", views.ALERT_STATES)):
        if picked[name] and picked[name] not in allowed:
            errors[name] = _("无效的选项")
            picked[name] = ""
    zone = city_zone()
    where = AlertFilter(datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)
                        - timedelta(microseconds=1), picked["company"][:40] or None, picked["kind"] or None,
                        picked["state"] or None)
    return where, {**picked, "from": first.isoformat(), "to": last.isoformat()}, errors


@bp.get("/transport/alerts")
@signed_in(READ_TRANSPORT)
def transport_alerts_page() -> ResponseReturnValue:
    """Alerts filtered by company, kind, state and period (default the last 7 days), counts by company and kind."""
    today = deps().clock.now().astimezone(city_zone()).date()
    where, form, errors = alert_filter(request.args, today)
    found = views.alert_list(deps(), where)
    return render_template("transport_alerts.html", found=found, form=form, errors=errors,
                           companies=views.companies(deps()), **_labels()), 422 if errors else 200


@bp.get("/transport/alerts/<int(max=2147483647):alert_id>")
@signed_in(READ_TRANSPORT)
def transport_alert_page(alert_id: int) -> ResponseReturnValue:
    """One alert: its track segment over the permit's corridor and sites, its facts, its review and lifecycle
    cases."""
    try:
        found = views.alert(deps(), alert_id)
    except NotFound:
        abort(404)
    return render_template("transport_alert.html", a=found, **_labels())
