"""KPI settings versions: ``gridcase kpi apply`` records the file when its content changed; computations read
the newest applied version (or the file in the repository while none has been applied) and name it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from city import commands as city_commands
from city.kpi.config import KpiConfig, parse_config
from city.persistence.repositories.kpi_configs import KpiConfigStore
from engine.domain.errors import InvalidCommand
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "config" / "kpi.yaml"
MAX_BYTES = 200_000


@dataclass(frozen=True)
class Applied:
    """The outcome of ``ApplyKpiConfig``: the version now in force and whether it is new."""

    version: int
    sha256: str
    created: bool


def apply_kpi_config(cmd: city_commands.ApplyKpiConfig, ctx: HandlerContext) -> Applied:
    """Check the settings and store them as a new version unless the newest version has the same content."""
    deps: Deps = ctx.deps
    if len(cmd.content.encode()) > MAX_BYTES:
        raise InvalidCommand(f"kpi config: file larger than {MAX_BYTES} bytes", field="file")
    config = parse_config(cmd.content)
    if not cmd.actor.strip() or len(cmd.actor) > 100:
        raise InvalidCommand("actor must be 1–100 characters", field="actor")
    now = deps.clock.now()
    with deps.uow() as uow:
        last = uow.repository(KpiConfigStore).newest()
        if last is not None and last[1] == config.sha256:
            return Applied(last[0], config.sha256, False)
        new = uow.repository(KpiConfigStore).add(config.sha256, config.content, now, cmd.actor, cmd.comment)
    return Applied(new, config.sha256, True)


def current_config(deps: Deps) -> KpiConfig:
    """The newest applied settings (``version`` set), else the repository's config/kpi.yaml (``version`` None)."""
    with deps.uow(read_only=True) as uow:
        last = uow.repository(KpiConfigStore).newest()
    if last is None:
        return parse_config(DEFAULT_FILE.read_text(encoding="utf-8"))
    return parse_config(last[2]).with_version(last[0])


def config_versions(deps: Deps) -> list[dict[str, Any]]:
    """Every applied version, newest first (without the content)."""
    with deps.uow(read_only=True) as uow:
        return uow.repository(KpiConfigStore).versions()
