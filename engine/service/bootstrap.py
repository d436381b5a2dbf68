"""Wire the generic engine: database, clock, caches and the command → handler map.

The city-management domain adds its own handlers and script helpers on top (``city.bootstrap``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from engine.bpmn.budget import ScriptLimits
from engine.bpmn.helpers import working_time_helpers
from engine.domain import commands as c
from engine.domain import jobs as j
from engine.domain.account_commands import ChangeUserRole, DisableUser, ResetPassword
from engine.domain.calendar_commands import LoadDutyCalendar
from engine.domain.clock import Clock, SystemClock
from engine.domain.clock_commands import ClockTasks
from engine.domain.event_commands import ThrowSignal
from engine.domain.supervision_commands import ForceReleaseTask, ReassignTask
from engine.domain.working_time import WorkingTime
from engine.persistence.db import create_db_engine
from engine.service import (
    account_admin,
    accounts,
    attachments,
    calendars,
    deploy,
    drafts,
    event_handlers,
    handlers,
    incidents,
    jobs,
    migration,
    rate_limits,
    signals,
    step_clock,
    supervision,
    throttle,
)
from engine.service.audit import checkpoints
from engine.service.bus import Handler, MessageBus
from engine.service.cache import WorkflowCache
from engine.service.deps import Deps
from engine.service.notification_hook import NotificationHook
from engine.service.notifications import Notifier
from engine.service.task_forms import VersionForms, folder_forms
from engine.service.validate import WORKFLOWS_DIR

HANDLERS: dict[type[c.Command], Handler] = {
    c.StartCase: handlers.start_case,
    c.CompleteHumanTask: handlers.complete_human_task,
    c.ClaimTask: handlers.claim_task,
    c.UnclaimTask: handlers.unclaim_task,
    ReassignTask: supervision.reassign_task,
    ClockTasks: step_clock.clock_tasks,
    ForceReleaseTask: supervision.force_release_task,
    c.SendMessage: event_handlers.send_message,
    c.DeliverMessage: event_handlers.deliver_message,
    c.FireTimer: event_handlers.fire_timer,
    c.DeliverOutbox: signals.deliver_outbox,  # messages: event_handlers.deliver_outbox
    ThrowSignal: signals.throw_signal,
    c.WriteAuditCheckpoint: checkpoints.write_audit_checkpoint,
    c.AddUser: accounts.add_user,
    c.SetPassword: accounts.set_password,
    c.IssueApiToken: accounts.issue_api_token,
    c.RevokeApiTokens: accounts.revoke_api_tokens,
    c.RecordTokenUse: accounts.record_token_use,
    c.SaveDraft: drafts.save_draft,
    c.DeleteDraft: drafts.delete_draft,
    c.DeployProcesses: deploy.deploy_processes,
    c.UploadAttachment: attachments.upload_attachment,
    c.MigrateCase: migration.migrate_case,
    c.RevokeApiToken: accounts.revoke_api_token,
    c.EndSessions: accounts.end_sessions,
    c.RecordLoginFailure: throttle.record_login_failure,
    c.ClearLoginFailures: throttle.clear_login_failures,
    c.CountRequest: rate_limits.count_request,
    j.FetchAndLockJobs: jobs.fetch_and_lock_jobs,
    j.CompleteJob: jobs.complete_job,
    j.FailJob: jobs.fail_job,
    j.ThrowJobError: jobs.throw_job_error,
    j.ExtendJobLock: jobs.extend_job_lock,
    j.RetryIncident: incidents.retry_incident,
    j.ResolveIncident: incidents.resolve_incident,
    LoadDutyCalendar: calendars.load_duty_calendar,
    DisableUser: account_admin.disable_user,
    ChangeUserRole: account_admin.change_user_role,
    ResetPassword: account_admin.reset_password,
}


def bootstrap_engine(database: str | Engine, clock: Clock | None = None, *, cache_size: int = 256,
                     depth_limit: int = 950, verify_state: bool = False, working_time: WorkingTime | None = None,
                     workflows_dir: Path | None = WORKFLOWS_DIR,
                     handlers: Mapping[type[c.Command], Handler] | None = None,
                     helpers: Mapping[str, Any] | None = None, script_limits: ScriptLimits | None = None) -> MessageBus:
    """A message bus over ``database`` (URL or engine) with the engine's handlers and ``handlers`` on top;
    the schema must already be migrated.

    With ``working_time`` (the business calendar and duty windows), scripts and timer expressions get
    ``deadline(start, amount, unit)`` and ``elapsed(start, end, unit)``; ``helpers`` adds more script helpers.
    ``script_limits``: the CPU-time and memory budget of every script, condition, timer expression and decision
    table (default ``ScriptLimits()``; the servers pass the settings' ``GRIDCASE_SCRIPT_*``).
    Task forms are read from the task's process version (deployed with it), else from ``workflows_dir``
    (``form`` properties are relative to it; versions deployed before forms were stored); None: completions
    are not checked against forms (model tests that exercise the processes' own checks).
    """
    db = create_db_engine(database) if isinstance(database, str) else database
    script_helpers = working_time_helpers(working_time) if working_time is not None else {}
    script_helpers.update(helpers or {})
    deps = Deps(db=db, clock=clock or SystemClock(), workflows=WorkflowCache(cache_size),
                depth_limit=depth_limit, verify_state=verify_state, script_helpers=script_helpers,
                working_time=working_time, script_limits=script_limits or ScriptLimits())
    calendars.attach_duty_calendar(deps)  # working time reads the city's duty calendar (docs/duty-windows.md)
    if workflows_dir is not None:
        deps.forms = VersionForms(folder_forms(workflows_dir))
    notifier = Notifier()  # its policy: the settings' GRIDCASE_NOTIFY_* (notifier_of(bus).policy)
    deps.step_hooks.append(NotificationHook(notifier, deps))
    return MessageBus({**HANDLERS, **notifier.handlers(), **(handlers or {})}, deps)
