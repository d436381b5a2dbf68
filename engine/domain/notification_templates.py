"""Notification texts: per event kind a title and a body in Chinese and English, filled from the notification's
``data`` (case number, task name, department, due time in the city's time zone, reason, link path).

A field the data lacks renders as "—": a template never fails a delivery.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from engine.domain import notifications as n
from engine.domain.city_zone import city_zone

MISSING = "—"
FIELDS = ("case_no", "task_name", "department", "due_at", "reason", "link", "title", "message", "result", "place",
          "code", "minutes", "stage")

# kind → locale → (title, body)
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    n.TASK_ASSIGNED: {
        "zh": ("【派遣】案件 {case_no}：{task_name}", "案件 {case_no} 的任务“{task_name}”已派遣给 {department}，"
                                                 "请于 {due_at} 前办理。{link}"),
        "en": ("[Dispatched] Case {case_no}: {task_name}", "Task \"{task_name}\" of case {case_no} was dispatched "
                                                          "to {department}; due {due_at}. {link}"),
    },
    n.TASK_WARNING: {
        "zh": ("【预警】案件 {case_no} 即将超时", "任务“{task_name}”（{department}）已用去 80% 的时限，"
                                          "截止 {due_at}。{link}"),
        "en": ("[Warning] Case {case_no} is due soon", "Task \"{task_name}\" ({department}) has used 80 % of its "
                                                      "time; due {due_at}. {link}"),
    },
    n.TASK_OVERDUE: {
        "zh": ("【超时】案件 {case_no} 已超时", "任务“{task_name}”（{department}）已超过时限 {due_at}。{link}"),
        "en": ("[Overdue] Case {case_no} is overdue", "Task \"{task_name}\" ({department}) passed its due time "
                                                     "{due_at}. {link}"),
    },
    n.SUPERVISION: {
        "zh": ("【督办】案件 {case_no}", "案件 {case_no} 被督办：{reason}。请于 {due_at} 前办结。{link}"),
        "en": ("[Supervision] Case {case_no}", "Case {case_no} is under supervision (督办): {reason}. "
                                              "Finish by {due_at}. {link}"),
    },
    n.RETURNED: {
        "zh": ("【回退】案件 {case_no}", "案件 {case_no} 的“{task_name}”被回退：{reason}。{link}"),
        "en": ("[Returned] Case {case_no}", "\"{task_name}\" of case {case_no} was returned (回退): {reason}. {link}"),
    },
    n.REWORK: {
        "zh": ("【返工】案件 {case_no}", "案件 {case_no} 需返工：{reason}。请于 {due_at} 前重新处置。{link}"),
        "en": ("[Rework] Case {case_no}", "Case {case_no} needs rework (返工): {reason}. Due {due_at}. {link}"),
    },
    n.TASK_REASSIGNED: {
        "zh": ("【改派】案件 {case_no}：{task_name}", "任务“{task_name}”已改派给您：{reason}。{link}"),
        "en": ("[Reassigned] Case {case_no}: {task_name}", "Task \"{task_name}\" was reassigned to you: {reason}. "
                                                          "{link}"),
    },
    n.ASSEMBLY: {
        "zh": ("【紧急集结】{title}", "紧急集结：{message}，地点 {place}。{link}"),
        "en": ("[Emergency assembly] {title}", "Emergency assembly: {message}, at {place}. {link}"),
    },
    n.CASE_RESULT: {
        "zh": ("【办理结果】案件 {case_no}", "您反映的问题（案件 {case_no}）已办结：{result}。"),
        "en": ("[Result] Case {case_no}", "The problem you reported (case {case_no}) is resolved: {result}."),
    },
    n.TEST: {
        "zh": ("【测试】gridcase 通知", "这是一条测试通知。{message}"),
        "en": ("[Test] gridcase notification", "This is a test notification. {message}"),
    },
    n.PUBLIC_CODE: {
        "zh": ("【验证码】{code}", "您的验证码是 {code}，{minutes} 分钟内有效。请勿将验证码告诉任何人。"),
        "en": ("[Code] {code}", "Your confirmation code is {code}, valid for {minutes} minutes. Never share it "
                               "with anyone."),
    },
    n.PUBLIC_UPDATE: {
        "zh": ("【{stage}】您反映的问题 {case_no}",
               "您反映的问题（编号 {case_no}）：{stage}。{message} 查看进度：{link}"),
        "en": ("[{stage}] Your report {case_no}", "Your report (no. {case_no}): {stage}. {message} Follow it: {link}"),
    },
}


@dataclass(frozen=True)
class Rendered:
    """A notification's text in one locale."""

    title: str
    body: str


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return MISSING


def _text(value: Any, zone: tzinfo, locale: str) -> str:
    if value is None or value == "":
        return MISSING
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] in ("T", " "):
        try:  # an ISO timestamp (a task's due time): shown in the city's time zone
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M" if locale == "en" else "%Y年%m月%d日 %H:%M")
    return str(value)


def render(kind: str, locale: str, data: Mapping[str, Any], zone: tzinfo | None = None) -> Rendered:
    """The title and body of a ``kind`` notification in ``locale`` ('zh' or 'en'; another falls back to zh), filled
    from ``data``; a kind without a template gets a generic text naming it."""
    zone = zone or city_zone()
    locale = locale if locale in n.LOCALES else "zh"
    fields = _Fields({key: _text(value, zone, locale) for key, value in data.items()
                      if isinstance(key, str) and key.isidentifier()})
    title, body = TEMPLATES.get(kind, {}).get(locale) or (f"gridcase: {kind}", "{message} {link}")
    formatter = string.Formatter()
    return Rendered(formatter.vformat(title, (), fields).strip(), formatter.vformat(body, (), fields).strip())
