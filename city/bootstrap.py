"""Wire gridcase for a city: the generic engine plus the city-management domain's handlers and helpers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from city import commands as cc
from city.admin.handlers import ADMIN_HANDLERS
from city.assessment import wiring as assessment_wiring
from city.assessment.handlers import ASSESSMENT_HANDLERS
from city.campaigns import wiring as campaign_wiring
from city.campaigns.handlers import CAMPAIGN_HANDLERS
from city.catalog.loading import load_catalog, load_city
from city.citizens import wiring as citizen_wiring
from city.citizens.handlers import HANDLERS as CITIZEN_HANDLERS
from city.connectors import wiring as connector_wiring
from city.connectors.handlers import HANDLERS as CONNECTOR_HANDLERS
from city.cutover.handlers import CUTOVER_HANDLERS
from city.decoration import wiring as decoration_wiring
from city.decoration.handlers import DECORATION_HANDLERS
from city.detections.intake import record_detections, report_detection
from city.duplicates.handlers import DUPLICATE_HANDLERS
from city.duplicates.linking import link_voided_report
from city.emergency import wiring as emergency_wiring
from city.emergency.handlers import EMERGENCY_HANDLERS
from city.enforcement import wiring as enforcement_wiring
from city.enforcement.handlers import ENFORCEMENT_HANDLERS
from city.exchange.handlers import HANDLERS as EXCHANGE_HANDLERS
from city.facts.live import write_live_facts
from city.grids.index import GridIndex
from city.grids.locator import CityLocator
from city.history.importer import import_history, refresh_fact_statistics
from city.intake.report import report_problem
from city.kpi.versions import apply_kpi_config
from city.open311.handlers import HANDLERS as OPEN311_HANDLERS
from city.package.handlers import PACKAGE_HANDLERS
from city.package.profile import install as install_profile
from city.public.changes import tell_stage_changes
from city.routing.handlers import ROUTING_HANDLERS
from city.transport import review as transport_review
from city.transport import wiring as transport_wiring
from city.transport.handlers import TRANSPORT_HANDLERS
from engine.bpmn.budget import ScriptLimits
from engine.bpmn.helpers import grid_helpers
from engine.domain.clock import Clock
from engine.domain.commands import Command
from engine.domain.working_time import WorkingTime
from engine.service.bootstrap import bootstrap_engine
from engine.service.bus import Handler, MessageBus
from engine.service.validate import WORKFLOWS_DIR

CITY_HANDLERS: dict[type[Command], Handler] = {
    cc.ReportProblem: report_problem,
    cc.LoadCity: load_city,
    cc.LoadCatalog: load_catalog,
    cc.RecordDetections: record_detections,
    cc.ReportDetection: report_detection,
    cc.ApplyKpiConfig: apply_kpi_config,
    cc.ImportHistory: import_history,
    cc.RefreshFactStatistics: refresh_fact_statistics,
    **PACKAGE_HANDLERS,  # each area's commands in its own package: see their handlers modules
    **ADMIN_HANDLERS,
    **ROUTING_HANDLERS,
    **DUPLICATE_HANDLERS,
    **CUTOVER_HANDLERS,
    **CAMPAIGN_HANDLERS,
    **EMERGENCY_HANDLERS,
    **TRANSPORT_HANDLERS,
    **DECORATION_HANDLERS,
    **ASSESSMENT_HANDLERS,
    **ENFORCEMENT_HANDLERS,
    **OPEN311_HANDLERS,
    **CITIZEN_HANDLERS,
    **CONNECTOR_HANDLERS,
    **EXCHANGE_HANDLERS,
}


def bootstrap(database: str | Engine, clock: Clock | None = None, *, cache_size: int = 256,
              depth_limit: int = 950, verify_state: bool = False,
              working_time: WorkingTime | None = None, grid_index: GridIndex | None = None,
              workflows_dir: Path | None = WORKFLOWS_DIR, script_limits: ScriptLimits | None = None) -> MessageBus:
    """The engine's bus (``engine.service.bootstrap.bootstrap_engine``) with the city's commands and the
    ``locate(lon, lat)`` script helper, which reads the city's grids from the database on first use (or
    ``grid_index``, when the caller has one built) and again after a city load here or elsewhere; every step that
    changes a case's data keeps its facts row (``city.facts.live``). ``script_limits``: every script's CPU-time and
    memory budget (default ``ScriptLimits()``)."""
    bus = bootstrap_engine(database, clock, cache_size=cache_size, depth_limit=depth_limit,
                           verify_state=verify_state, working_time=working_time, workflows_dir=workflows_dir,
                           handlers=CITY_HANDLERS, script_limits=script_limits)
    deps = bus.deps
    locator = CityLocator(deps.uow, grid_index, clock=deps.clock)  # rechecks the stored grids every second
    deps.script_helpers.update(grid_helpers(locator.locate))
    deps.on_city_loaded.append(locator.reset)
    deps.step_hooks.append(write_live_facts)
    deps.step_hooks.append(link_voided_report)  # a report voided as a duplicate of the case it named: linked
    deps.step_hooks.append(tell_stage_changes)  # a case citizens or other systems follow: its new stage told
    install_profile(bus)  # the city's time zone, locale and channels: now, and after each city load
    campaign_wiring.install(bus)
    emergency_wiring.install(bus)
    transport_review.install(bus)
    transport_wiring.install(bus)  # the GPS ingest's caches: registry snapshot, deployed rules, partitions
    enforcement_wiring.install(bus)  # enforcement cases' rows, numbers and results returned to their origin
    decoration_wiring.install(bus)  # decoration works: their rows' state, inspection cases, nearby waste cases
    assessment_wiring.install(bus)  # assessment rounds, inspections, rectifications, property credit
    citizen_wiring.install(bus)  # citizens' reports: 回访 cases' outcomes, reopened cases
    connector_wiring.install(bus)  # other systems: their configurations' cache
    return bus
