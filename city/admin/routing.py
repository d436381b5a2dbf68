"""The deployed routing rules (the responsibility decision as deployed) and ``MoveSubtypeRouting``.

The rules are versioned with the process that calls them: the newest version of a process whose sources hold a
DMN file with the ``responsibility`` decision is the city's routing in force. Moving a subtype edits that file's
rules (``city.admin.routing_table``) and deploys the process's sources again with ``DeployProcesses`` — the
designer's deploy — so the next case of the subtype routes by the new version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from city.admin import commands as ac
from city.admin.checks import admin, check_code, check_common, record
from city.admin.routing_table import DECISION_ID, find_table, move_subtype, parse
from engine.domain.commands import DeployProcesses
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.repositories.versions import newest_listings
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deploy import deploy_processes
from engine.service.deps import Deps


@dataclass(frozen=True)
class DeployedRules:
    """The process whose newest version carries the routing rules, that version's number, every source of it
    (file name → text) and the name and text of the DMN file with the responsibility decision."""

    process_id: str
    number: int
    sources: dict[str, str]
    file_name: str

    @property
    def dmn(self) -> str:
        """The responsibility DMN's text."""
        return self.sources[self.file_name]


def deployed_rules(uow: UnitOfWork) -> DeployedRules | None:
    """The routing rules in force (None before any process with them is deployed)."""
    marker = f'id="{DECISION_ID}"'
    for process_id, number, *_, sources_json in newest_listings(uow.store):
        sources: dict[str, str] = json.loads(sources_json)
        for name, text in sources.items():
            if name.endswith(".dmn") and marker in text and find_table(parse(text)) is not None:
                return DeployedRules(process_id, int(number), sources, name)
    return None


def routing_in_force(deps: Deps) -> DeployedRules | None:
    """``deployed_rules`` in a read-only unit of work."""
    with deps.uow(read_only=True) as uow:
        return deployed_rules(uow)


def _check(uow: UnitOfWork, cmd: ac.MoveSubtypeRouting) -> DeployedRules:
    if not uow.city.has_department(cmd.department):
        raise InvalidCommand(f"no department {cmd.department!r}", field="department")
    if admin(uow).is_disabled("department", cmd.department):
        raise InvalidCommand(f"department {cmd.department!r} is disabled", field="department")
    if admin(uow).row("subtype", cmd.subtype_code) is None:
        raise NotFound(f"no subtype {cmd.subtype_code!r}", field="subtype_code")
    found = deployed_rules(uow)
    if found is None:
        raise InvalidCommand("no deployed process carries the responsibility rules: deploy the lifecycle first",
                             field="rules")
    return found


def move_subtype_routing(cmd: ac.MoveSubtypeRouting, ctx: HandlerContext) -> dict[str, Any]:
    """Edit the deployed rules for the subtype and deploy them as a new version (the designer's
    ``DeployProcesses`` handler, so the same validation), then keep the change in ``admin_changes``. The deploy
    is the change: should keeping its record fail, the new version still names the actor and the comment."""
    check_common(cmd.actor, cmd.comment)
    check_code(cmd.subtype_code, "subtype_code")
    check_code(cmd.department, "department")
    with ctx.deps.uow(read_only=True) as uow:
        found = _check(uow, cmd)
    text, changed = move_subtype(found.dmn, cmd.subtype_code, cmd.department)
    comment = cmd.comment or f"{cmd.subtype_code} → {cmd.department}"
    if not changed:
        return {"process_id": found.process_id, "version": found.number, "rules": [], "created": False}
    deployed = deploy_processes(DeployProcesses({**found.sources, found.file_name: text}, cmd.actor, comment), ctx)
    version = next((d for d in deployed if d.process_id == found.process_id), deployed[0])
    with ctx.deps.uow() as uow:
        record(uow, ctx, "routing", cmd.subtype_code, "move", {"process_id": found.process_id,
                                                               "version": found.number},
               {"department": cmd.department, "process_id": version.process_id, "version": version.number,
                "rules": changed}, cmd.actor, comment)
    return {"process_id": version.process_id, "version": version.number, "rules": changed, "created": True}
