"""Display names of codes (channels, roles, states, lights, events, lifecycle steps), translated when shown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l

from engine.domain.city_zone import city_zone

DEFAULT_CHANNELS = {"patrol": _l("监督员巡查"), "census": _l("普查"), "video": _l("视频发现"),
                    "hotline": _l("热线电话"), "wechat": _l("微信"), "public_opinion": _l("舆情"),
                    "petition": _l("信访"), "media": _l("媒体曝光"), "leadership": _l("领导交办"),
                    "transfer": _l("部门转办"), "assessment": _l("考评整改")}
ROLES = {"collector": _l("信息采集员"), "seat_operator": _l("受理员"), "shift_lead": _l("值班长"),
         "dispatcher": _l("派遣员"), "department_member": _l("专业部门"), "supervisor": _l("督办员"),
         "process_designer": _l("流程设计员"), "auditor": _l("审计员"), "admin": _l("管理员"),
         "integration": _l("系统接口"), "vision_worker": _l("视频识别")}
STATUSES = {"running": _l("办理中"), "completed": _l("已办结"), "failed": _l("出错"), "cancelled": _l("已撤销")}
TASK_STATES = {"ready": _l("待办理"), "completed": _l("已办"), "cancelled": _l("已取消")}
LIGHTS = {"green": _l("绿灯"), "yellow": _l("黄灯"), "red": _l("红灯"), "grey": _l("挂账")}
URGENCIES = {"normal": _l("一般"), "urgent": _l("紧急")}
RESULTS = {"closed": _l("已结案"), "voided": _l("已作废")}
EVENTS = {"case_started": _l("案件登记"), "task_ready": _l("待办生成"), "task_claimed": _l("签收"),
          "task_unclaimed": _l("退回待办"), "task_reassigned": _l("改派"), "task_force_released": _l("强制释放"),
          "task_completed": _l("办理完成"), "task_cancelled": _l("待办取消"),
          "timer_waiting": _l("计时开始"), "timer_fired": _l("时限到达"), "timer_cancelled": _l("计时取消"),
          "timer_failed": _l("计时出错"),
          "message_received": _l("收到消息"), "case_completed": _l("案件办结"),
          "case_migrated": _l("迁移到新版本流程"), "attachment_added": _l("添加证据"),
          "task_warned": _l("环节预警"), "task_overdue": _l("环节超期"),  # the step clock (docs/step-limits.md)
          "duplicate_linked": _l("关联重复报告"),  # a report voided as a duplicate of this case (city/duplicates)
          "enforcement_transferred": _l("转执法"),  # the case went to enforcement (city/enforcement)
          "enforcement_concluded": _l("执法结果"),  # its enforcement case ended: the result returned
          "assessment_item_recorded": _l("记录考评检查项"),  # an inspection's item (city/assessment)
          "environment_answered": _l("记录定位与时限答复")}  # locate/deadline answers kept for the replay
STEPS = {"register_report": _l("登记"), "decide_priority": _l("优先级"), "verify_report": _l("核实"),
         "file_or_void": _l("立案/作废"), "confirm_dispatch": _l("派遣"), "dispose_problem": _l("处置"),
         "acknowledge_warning": _l("预警提醒"), "supervise_overdue": _l("督办"),
         "supervise_escalation": _l("二级督办"), "review_extension": _l("延期审批"),
         "review_suspension": _l("挂账审批"), "resume_disposal": _l("恢复处置"), "check_on_site": _l("核查"),
         "close_case": _l("结案"), "disposal_warning": _l("黄灯预警"), "disposal_overdue": _l("红灯超期"),
         "disposal_escalated": _l("二级督办时限")}
# An imported case's steps, by the milestone they stand for (engine.domain.milestones.HISTORY_STEPS).
MILESTONE_STEPS = {"reported": _l("登记"), "verified": _l("核实"), "filed": _l("立案/作废"), "dispatched": _l("派遣"),
                   "disposed": _l("处置"), "checked": _l("核查"), "closed": _l("结案"), "suspended": _l("恢复处置")}
LIMIT_UNITS = {"working_hours": _l("工作时"), "working_days": _l("工作日"), "natural_hours": _l("自然时"),
               "natural_days": _l("自然日")}
OUTCOMES = {"disposed": _l("已处置"), "return": _l("回退"), "extension": _l("申请延期"), "suspension": _l("申请挂账")}
COUNTERS = {"returns": _l("回退次数"), "reworks": _l("返工次数"), "extensions": _l("延期次数"),
            "suspensions": _l("挂账次数"), "overdue": _l("超期次数"), "wrong_dispatches": _l("错派次数")}


def label(table: Mapping[str, Any], code: Any) -> str:
    """The code's display name in the current language; the code itself when it has none."""
    if code is None:
        return "—"
    found = table.get(str(code))
    return str(found) if found is not None else str(code)


def local_time(value: str | datetime | None, seconds: bool = False) -> str:
    """An ISO time shown in the city's zone (``2026-11-26 21:58``)."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(city_zone()).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


class ChannelNames(Mapping[str, Any]):
    """The city's channels' names in the page's language: its ``channels`` table (city/package/profile.py), read
    once per request; the translated names of the default channels when no package was loaded."""

    def _names(self) -> dict[str, Any]:
        if not has_app_context():
            return dict(DEFAULT_CHANNELS)
        if "gridcase_channel_names" not in g:
            from engine.persistence.read.city_package import channels
            from web.context import deps
            from web.pages.i18n import lang

            with deps().uow(read_only=True) as uow:
                rows = channels(uow.store)
            english = lang() == "en"
            g.gridcase_channel_names = ({r["code"]: r["name_en"] if english else r["name_zh"] for r in rows}
                                        if rows else dict(DEFAULT_CHANNELS))
        names: dict[str, Any] = g.gridcase_channel_names
        return names

    def __getitem__(self, code: str) -> Any:
        return self._names()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


CHANNELS = ChannelNames()


def active_channel_codes() -> list[str]:
    """The codes a new report may name: the city's active channels, in their order (the report form's choices),
    without those only the system sets (``SYSTEM_CHANNELS``: the report's check refuses them)."""
    from city.intake.report import SYSTEM_CHANNELS
    from city.package.profile import channel_codes
    from web.context import deps

    with deps().uow(read_only=True) as uow:
        return [code for code in channel_codes(uow.store) if code not in SYSTEM_CHANNELS]

TEMPLATE_TABLES = {"channels": CHANNELS, "roles": ROLES, "statuses": STATUSES, "task_states": TASK_STATES,
                   "lights": LIGHTS, "urgencies": URGENCIES, "results": RESULTS, "event_types": EVENTS, "steps": STEPS,
                   "limit_units": LIMIT_UNITS, "counters": COUNTERS, "outcomes": OUTCOMES,
                   "milestone_steps": MILESTONE_STEPS}
