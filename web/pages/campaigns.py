"""Census campaigns' pages (专项普查): the list with the start form, the progress map, the printable report, and the
collector's sweep of a grid (phone-sized). The start form sends the same ``StartCampaign`` as ``POST
/api/v1/campaigns``; the sweep page's script calls the API (checks, findings, photo uploads, the task completion)
with the session, so every entry point refuses the same things."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.analysis import service as analysis
from city.campaigns import views as campaign_reads
from city.campaigns.commands import EndCampaign, StartCampaign
from engine.domain.city_zone import city_zone
from engine.domain.errors import GridcaseError, InvalidCommand
from engine.persistence.read import city, city_package
from engine.service.queries import case_by_no, task_by_id
from web.api.access import task_visible
from web.context import bus, deps
from web.pages.common import bp, me, signed_in
from web.policy import READ_CAMPAIGN_TOPICS, READ_CAMPAIGNS, RUN_CAMPAIGNS, allows


def _places() -> dict[str, Any]:
    """The districts and streets (街道) of the start form's area pickers."""
    with deps().uow(read_only=True) as uow:
        districts = city.districts(uow.store)
        streets = [(s["code"], s["name"]) for s in city_package.streets(uow.store)]
    return {"districts": districts, "streets": streets}


def _list_page(errors: dict[str, str] | None = None, posted: dict[str, Any] | None = None,
               status: int = 200) -> ResponseReturnValue:
    today = deps().clock.now().astimezone(city_zone()).date()
    posted = posted or {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=6)).isoformat(),
                        "kind": "census", "topics": [], "districts": [], "streets": []}
    context = {"campaigns": campaign_reads.campaign_list(deps()), "errors": errors or {}, "posted": posted}
    if allows(me(), RUN_CAMPAIGNS):
        context.update(topics=campaign_reads.topics(deps(), None), **_places())
    return render_template("campaigns.html", **context), status


@bp.get("/campaigns")
@signed_in(READ_CAMPAIGNS)
def campaigns_page() -> ResponseReturnValue:
    """The campaigns, newest first, and (shift leads, supervisors, admins) the form that starts one."""
    return _list_page()


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidCommand(f"{field} must be a date (YYYY-MM-DD)", field=field) from None


def _teams(text: str) -> tuple[dict[str, Any], ...]:
    """One team a line: ``name | task group | district or street codes separated by spaces``."""
    teams = []
    for number, line in enumerate(filter(None, (raw.strip() for raw in text.splitlines())), start=1):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise InvalidCommand(_("第 %(n)s 行应为：名称 | 任务组 | 区或街道编码", n=number), field="teams")
        codes = parts[2].split()
        teams.append({"name": parts[0], "group": parts[1], "districts": [c for c in codes if len(c) == 6],
                      "streets": [c for c in codes if len(c) != 6]})
    return tuple(teams)


def _start_command(form: Any) -> StartCampaign:
    zone = city_zone()
    starts = datetime.combine(_day(form.get("starts_on", ""), "starts_at"), time(), zone)
    ends = datetime.combine(_day(form.get("ends_on", ""), "ends_at") + timedelta(days=1), time(), zone)
    area = {"districts": form.getlist("districts"), "streets": form.getlist("streets"), "grids":
            form.get("grids", "").split()}
    who = me()
    return StartCampaign(form.get("name", "").strip(), form.get("kind", "census"), tuple(form.getlist("topics")),
                         area, starts, ends, _teams(form.get("teams", "")), who.username, actor_kind=who.actor_kind)


@bp.post("/campaigns")
@signed_in(RUN_CAMPAIGNS)
def start_campaign() -> ResponseReturnValue:
    """发起普查: ``StartCampaign`` from the form; its errors next to their fields, nothing started."""
    posted = {**request.form.to_dict(), "topics": request.form.getlist("topics"),
              "districts": request.form.getlist("districts"), "streets": request.form.getlist("streets")}
    try:
        result = bus().handle(_start_command(request.form))
    except GridcaseError as exc:
        fields = getattr(exc, "fields", None) or {exc.field or "general": exc.message}
        return _list_page({str(k): str(v) for k, v in fields.items()}, posted, exc.http_status)
    return redirect(url_for("pages.campaign_progress_page", campaign_id=result["campaign_id"]))


def _texts() -> dict[str, str]:
    """What the scripts show, in the page's language."""
    return {"not_started": _("未开始"), "in_progress": _("进行中"), "done": _("已完成"), "overdue": _("已超期"),
            "grid": _("单元网格"), "findings": _("发现问题"), "topics_done": _("已完成专题"), "loading": _("加载中…"),
            "failed": _("加载失败"), "clear": _("无问题"), "recorded": _("已记录"), "report": _("上报问题"),
            "sent": _("已上报"), "finished": _("本网格已完成"), "locating": _("定位中…"),
            "located": _("已取得位置"), "no_location": _("无法取得位置，已用网格中心"), "count": _("数量")}


@bp.get("/campaigns/<int(max=2147483647):campaign_id>")
@signed_in(READ_CAMPAIGNS)
def campaign_progress_page(campaign_id: int) -> ResponseReturnValue:
    """The progress map (grids coloured by coverage), counts by topic, street and team, the overdue grids; for
    shift leads, supervisors and admins the 结束普查 form while it runs (or who ended it early, when and why)."""
    return _progress_page(campaign_id)


def _progress_page(campaign_id: int, errors: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    found = campaign_reads.progress(deps(), campaign_id)
    if found is None:
        abort(404)
    api = {"states": url_for("campaigns_api.grids", campaign_id=campaign_id),
           "shapes": url_for("pages.campaign_grid_shapes")}
    return render_template("campaign_progress.html", progress=found, campaign=found["campaign"], api=api,
                           texts=_texts(), topic_names=_topic_names(), can_end=allows(me(), RUN_CAMPAIGNS),
                           errors=errors or {}), status


@bp.post("/campaigns/<int(max=2147483647):campaign_id>/end")
@signed_in(RUN_CAMPAIGNS)
def end_campaign(campaign_id: int) -> ResponseReturnValue:
    """结束普查: ``EndCampaign`` from the progress page's form; a refusal shows next to the form."""
    who = me()
    try:
        bus().handle(EndCampaign(campaign_id, who.username, request.form.get("reason", ""),
                                 actor_kind=who.actor_kind))
    except GridcaseError as exc:
        fields = getattr(exc, "fields", None) or {exc.field or "general": exc.message}
        return _progress_page(campaign_id, {str(k): str(v) for k, v in fields.items()}, exc.http_status)
    return redirect(url_for("pages.campaign_progress_page", campaign_id=campaign_id))


def _topic_names() -> dict[str, dict[str, str]]:
    return {t["code"]: t for t in campaign_reads.topics(deps(), None)}


@bp.get("/campaigns/<int(max=2147483647):campaign_id>/report")
@signed_in(READ_CAMPAIGNS)
def campaign_report_page(campaign_id: int) -> ResponseReturnValue:
    """The printable report: found, filed, fixed and open, by topic and by department."""
    found = campaign_reads.report(deps(), campaign_id)
    if found is None:
        abort(404)
    return render_template("campaign_report.html", report=found, campaign=found["campaign"],
                           topic_names=_topic_names(), now=deps().clock.now())


@bp.get("/campaigns/grid-shapes")
@signed_in(READ_CAMPAIGNS)
def campaign_grid_shapes() -> ResponseReturnValue:
    """Every unit grid's lean polygon (the analysis map's), kept by the browser an hour and revalidated by ETag."""
    body = json.dumps(analysis.grid_shapes(deps()), ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response.make_conditional(request)


@bp.get("/campaigns/<int(max=2147483647):campaign_id>/grids/<grid>/sweep")
@signed_in(READ_CAMPAIGN_TOPICS)
def campaign_sweep_page(campaign_id: int, grid: str) -> ResponseReturnValue:
    """The collector's sweep of a grid, phone-sized: each topic's items (无问题, a count, 上报问题 with photo and
    location) and 完成本网格, which completes the grid's ``sweep_grid`` task."""
    sheet = campaign_reads.grid_sheet(deps(), campaign_id, grid)
    who = me()
    if sheet is None or not (allows(who, READ_CAMPAIGNS) or campaign_reads.task_group(sheet) in who.groups):
        abort(404)
    task_id = None
    if sheet.get("sweep_case_no"):
        case = case_by_no(deps(), sheet["sweep_case_no"], deps().clock.now())
        task_id = next((t["id"] for t in (case or {}).get("tasks", []) if t["bpmn_id"] == "sweep_grid"), None)
    api = {"checks": url_for("campaigns_api.check", campaign_id=campaign_id, grid=grid),
           "findings": url_for("campaigns_api.finding", campaign_id=campaign_id, grid=grid),
           "sheet": url_for("campaigns_api.grid_sheet", campaign_id=campaign_id, grid=grid),
           "upload": url_for("api_cases.upload", case_no=sheet["sweep_case_no"]) if sheet.get("sweep_case_no")
           else "", "complete": url_for("api_tasks.complete", task_id=task_id) if task_id else "",
           "case_upload": url_for("api_cases.upload", case_no="CASE")}
    return render_template("campaign_sweep.html", sheet=sheet, campaign_id=campaign_id, grid=grid, api=api,
                           sweep_topics=campaign_reads.sweep_topics(sheet),
                           texts=_texts(), subtypes=_subtype_names())


def _subtype_names() -> dict[str, str]:
    with deps().uow(read_only=True) as uow:
        return {s["code"]: s["name_zh"] for s in city.subtypes(uow.store)}


@bp.get("/sweep-tasks/<task_id>")
@signed_in()
def sweep_task_page(task_id: str) -> ResponseReturnValue:
    """A ``sweep_grid`` task of the collector's list → its grid's sweep page."""
    task = task_by_id(deps(), task_id)
    if task is None or not task_visible(me(), task):
        abort(404)
    found = campaign_reads.sweep_of_case(deps(), int(task["case_id"]))
    if found is None:
        return redirect(url_for("pages.task_page", task_id=task_id))
    return redirect(url_for("pages.campaign_sweep_page", campaign_id=found[0], grid=found[1]))
