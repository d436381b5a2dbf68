"""Wire the engine: database, clock, caches and the command → handler map."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from engine.bpmn.helpers import grid_helpers, working_time_helpers
from engine.domain import commands as c
from engine.domain.clock import Clock, SystemClock
from engine.domain.grid import GridIndex
from engine.domain.working_time import WorkingTime
from engine.persistence.db import create_db_engine
from engine.service import (
    accounts,
    attachments,
    checkpoints,
    city,
    deploy,
    drafts,
    event_handlers,
    handlers,
    history,
    migration,
    vision,
)
from engine.service.bus import Handler, MessageBus
from engine.service.cache import WorkflowCache
from engine.service.deps import Deps
from engine.service.kpi_versions import apply_kpi_config
from engine.service.locator import CityLocator
from engine.service.report import report_problem
from engine.service.task_forms import VersionForms, folder_forms
from engine.service.validate import WORKFLOWS_DIR

HANDLERS: dict[type[c.Command], Handler] = {
    c.StartCase: handlers.start_case,
    c.CompleteHumanTask: handlers.complete_human_task,
    c.ReportProblem: report_problem,
    c.ClaimTask: handlers.claim_task,
    c.UnclaimTask: handlers.unclaim_task,
    c.SendMessage: event_handlers.send_message,
    c.DeliverMessage: event_handlers.deliver_message,
    c.FireTimer: event_handlers.fire_timer,
    c.DeliverOutbox: event_handlers.deliver_outbox,
    c.WriteAuditCheckpoint: checkpoints.write_audit_checkpoint,
    c.RecordDetections: vision.record_detections,
    c.ApplyKpiConfig: apply_kpi_config,
    c.ImportHistory: history.import_history,
    c.RefreshFactStatistics: history.refresh_fact_statistics,
    c.AddUser: accounts.add_user,
    c.SetPassword: accounts.set_password,
    c.IssueApiToken: accounts.issue_api_token,
    c.RevokeApiTokens: accounts.revoke_api_tokens,
    c.RecordTokenUse: accounts.record_token_use,
    c.LoadCity: city.load_city,
    c.LoadCatalog: city.load_catalog,
    c.SaveDraft: drafts.save_draft,
    c.DeleteDraft: drafts.delete_draft,
    c.DeployProcesses: deploy.deploy_processes,
    c.UploadAttachment: attachments.upload_attachment,
    c.MigrateCase: migration.migrate_case,
}


def bootstrap(database: str | Engine, clock: Clock | None = None, *, cache_size: int = 256,
              depth_limit: int = 950, verify_state: bool = False,
              working_time: WorkingTime | None = None, grid_index: GridIndex | None = None,
              workflows_dir: Path | None = WORKFLOWS_DIR) -> MessageBus:
    """A message bus over ``database`` (URL or engine); the schema must already be migrated.

    With ``working_time`` (the city's calendar and duty windows), scripts and timer expressions get
    ``deadline(start, amount, unit)`` and ``elapsed(start, end, unit)``. ``locate(lon, lat)`` reads the
    city's grids from the database on first use (or ``grid_index``, when the caller has one built).
    Task forms are read from the task's process version (deployed with it), else from ``workflows_dir``
    (``form`` properties are relative to it; versions deployed before forms were stored); None: completions
    are not checked against forms (model tests that exercise the processes' own checks).
    """
    db = create_db_engine(database) if isinstance(database, str) else database
    helpers = working_time_helpers(working_time) if working_time is not None else {}
    deps = Deps(db=db, clock=clock or SystemClock(), workflows=WorkflowCache(cache_size),
                depth_limit=depth_limit, verify_state=verify_state, script_helpers=helpers,
                working_time=working_time)
    if workflows_dir is not None:
        deps.forms = VersionForms(folder_forms(workflows_dir))
    locator = CityLocator(deps.uow, grid_index)
    deps.script_helpers.update(grid_helpers(locator.locate))
    deps.on_city_loaded.append(locator.reset)
    return MessageBus(HANDLERS, deps)
