"""The city-management domain's commands: loading a city, its KPI settings, imported history and camera
detections. Each has one handler in the city package, registered by ``city.bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.domain.commands import Command


@dataclass(frozen=True)
class RecordDetections(Command):
    """Keep what a camera saw (see ``city.detections.intake``); a record already stored is skipped."""

    records: tuple[dict[str, Any], ...]
    actor: str = "vision"


@dataclass(frozen=True)
class ReportDetection(Command):
    """A camera detection arriving as the ``video_detection`` message (``{camera_id, subtype, lon, lat, image,
    confidence, rule, zone, description}``): checked, then the lifecycle starts on the message
    (``city.detections.intake.report_detection``); ``channel`` + ``external_id`` make it idempotent."""

    detection: dict[str, Any]
    actor: str
    channel: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class ApplyKpiConfig(Command):
    """Record a KPI settings file as a new version when its content changed (city.kpi.versions)."""

    content: str
    actor: str
    comment: str = ""


@dataclass(frozen=True)
class ImportHistory(Command):
    """Keep one batch of imported history cases as read-only case facts (see ``city.history.importer``).

    ``rows`` are (CSV line, case number, ``CaseFacts``, roles: verifier/dispatcher/checker → username);
    ``imported_at`` is the same for every batch of one file, so a number seen earlier in it is recognised.
    """

    rows: tuple[tuple[int, str, Any, dict[str, str]], ...]
    imported_at: Any
    actor: str = "import"


@dataclass(frozen=True)
class RefreshFactStatistics(Command):
    """Refresh the query planner's statistics of the case facts after a bulk load; ``vacuum``: PostgreSQL
    also vacuums them (see ``city.history.importer``)."""

    vacuum: bool = False
    actor: str = "import"


@dataclass(frozen=True)
class LoadCity(Command):
    """Replace the city's districts and grids with GeoJSON features (see ``city.catalog.loading``)."""

    unit_grids: tuple[dict[str, Any], ...]
    resp_grids: tuple[dict[str, Any], ...]
    districts: tuple[dict[str, Any], ...] = ()
    actor: str = "admin"
    repair: bool = False  # make invalid geometries valid (make_valid) instead of refusing them; the result says which
    units_by_parent: bool = False  # each unit grid's 'parent' property names its responsibility grid (not its area)


@dataclass(frozen=True)
class LoadCatalog(Command):
    """Replace aspects, subtypes, departments and users (each user dict carries its ``password``)."""

    aspects: tuple[dict[str, Any], ...]
    subtypes: tuple[dict[str, Any], ...]
    departments: tuple[dict[str, Any], ...]
    users: tuple[dict[str, Any], ...] = field(repr=False)
    actor: str = "admin"


@dataclass(frozen=True)
class ReportProblem(Command):
    """Report a problem (受理): the report is checked, then a lifecycle case starts (city.intake.report).

    The same channel + external id again returns the first case.
    """

    subtype_code: str
    description: str
    lon: float
    lat: float
    channel: str
    actor: str
    external_id: str | None = None
    reporter: str | None = None  # None: the actor
    urgency: str = "normal"
    evidence: tuple[str, ...] = ()
    duplicate_of: str | None = None
