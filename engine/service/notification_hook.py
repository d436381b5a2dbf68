"""The step hook that turns engine events into notifications, in the step's own transaction.

Audit events map to notifications through one table (``engine.domain.notifications.AUDIT_EVENTS``): a task made
ready tells its candidate group (and assignee), a warned or overdue task its group (and the ``escalate_to`` group),
a reassigned task its new holder. A completed ``notify`` service-task job (``engine.connectors.notify``) writes the
notification its model asked for. On PostgreSQL every human task made ready, claimed, completed or cancelled wakes
the listeners of its group and assignee (``pg_notify('gridcase_tasks', …)``). Commands that write audit events
without a workflow step call ``tell`` for the same.
"""

from __future__ import annotations

from typing import Any

from engine.connectors.notify import TOPIC as NOTIFY_TOPIC
from engine.domain import events as ev
from engine.domain import notifications as n
from engine.domain.views import StepRecord
from engine.persistence.repositories.notifications import TASKS_CHANNEL, NotificationStore
from engine.persistence.uow import UnitOfWork
from engine.service.deps import Deps
from engine.service.notifications import Notifier, Outgoing, write_notifications
from engine.service.step_hooks import StepWritten

# what changes a task list: a task's state or holder, and its light (warned, overdue: into 超期督办 lists)
_TASK_EVENTS = (ev.TASK_READY, ev.TASK_CLAIMED, ev.TASK_COMPLETED, ev.TASK_CANCELLED, ev.TASK_REASSIGNED,
                ev.TASK_UNCLAIMED, ev.TASK_FORCE_RELEASED, ev.TASK_WARNED, ev.TASK_OVERDUE)


class NotificationHook:
    """``Deps.step_hooks`` entry: notifications from a written step (the notifier's settings apply)."""

    def __init__(self, notifier: Notifier, deps: Deps) -> None:
        self.notifier = notifier
        self.deps = deps

    def __call__(self, uow: UnitOfWork, step: StepWritten) -> None:
        notes = uow.repository(NotificationStore)
        woken: set[str | None] = set()
        tasks: dict[str, dict[str, Any] | None] = {}
        for record in step.records:
            task = None
            if record.task_id and record.event_type in _TASK_EVENTS:  # AUDIT_EVENTS' task events among them
                if record.task_id not in tasks:  # a timer's or a gateway's task id is no human task: not read
                    tasks[record.task_id] = notes.task(record.task_id)
                task = tasks[record.task_id]
            if task is not None and record.event_type in _TASK_EVENTS:
                woken.update((task["group"], task["assignee"], record.data.get("to"), record.data.get("from"),
                              record.data.get("escalate_to")))  # an overdue task joins its escalation group's list
            out = self._outgoing(notes, step, record, task)
            if out is not None:
                write_notifications(uow, self.notifier.policy, out, step.now, self.deps.working_time)
        notes.wake(TASKS_CHANNEL, woken)

    def _outgoing(self, notes: NotificationStore, step: StepWritten, record: StepRecord,
                  task: dict[str, Any] | None) -> Outgoing | None:
        if record.event_type == ev.JOB_COMPLETED and record.task_id:
            call = notes.job_call(record.task_id, NOTIFY_TOPIC)
            if call is None:
                return None
            recipients = [n.parse_recipient(item) for item in call.get("to", [])]
            data = {**self._base(notes, step.case_id, None, self.notifier.policy.locale), **call.get("data", {})}
            return Outgoing(call["kind"], call.get("urgency", n.NORMAL), recipients, data, step.case_id,
                            f"job:{record.task_id}")
        mapping = n.AUDIT_EVENTS.get(record.event_type)
        if mapping is None:
            return None
        values = {**(task or {}), **{k: v for k, v in record.data.items() if v is not None}}
        groups = [values.get(name) for name in mapping.group_fields]
        if mapping.task_group and task is not None:
            groups.append(task["group"])
        people = [values.get(name) for name in mapping.person_fields]
        recipients = [(n.GROUP, g) for g in dict.fromkeys(groups) if isinstance(g, str) and g]
        recipients += [(n.PERSON, p) for p in dict.fromkeys(people) if isinstance(p, str) and p]
        if not recipients:
            return None
        data = self._base(notes, step.case_id, task, self.notifier.policy.locale)
        data.update({k: v for k, v in record.data.items() if isinstance(v, str | int | float) and k != "group"})
        if record.task_id:
            data["link"] = f"/tasks/{record.task_id}"
        stamp = f":{step.now.isoformat()}" if record.event_type == ev.TASK_REASSIGNED else ""
        return Outgoing(mapping.kind, mapping.urgency, recipients, data, step.case_id,
                        f"{record.event_type}:{step.case_id}:{record.task_id}{stamp}")

    @staticmethod
    def _base(notes: NotificationStore, case_id: int, task: dict[str, Any] | None, locale: str) -> dict[str, Any]:
        case_no = notes.case_no(case_id)
        data: dict[str, Any] = {"case_no": case_no or str(case_id), "case_id": case_id,
                                "link": f"/cases/{case_no}" if case_no else None}
        if task is not None:
            group = task["group"]
            data.update(task_name=task["task_name"], group=group,
                        department=(notes.department_name(group, locale) or group) if group else None,
                        due_at=task["due_at"].isoformat() if task["due_at"] else None)
        return data

