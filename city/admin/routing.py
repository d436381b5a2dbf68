"""The deployed routing rules (the responsibility decision as deployed) and ``MoveSubtypeRouting``.

The rules are versioned with the process that calls them: the newest version of the lifecycle process (the one
reports start) holds the DMN file with the ``responsibility`` decision, the city's routing in force. Moving a
subtype edits that file's rules (``city.admin.routing_table``) and stores the process's sources as its next
version — validated as the designer's deploy — in the move's one unit of work, so the next case of the subtype
routes by the new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from city.admin import commands as ac
from city.admin.checks import admin, check_code, check_common, record
from city.admin.routing_table import DECISION_ID, find_table, move_subtype, parse
from city.intake.report import LIFECYCLE
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand, NotFound
from engine.persistence.db import is_unique_violation
from engine.persistence.repositories.versions import latest_version, version_sources
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deploy import prepare_bundles, store_bundles
from engine.service.deps import Deps
from engine.service.validate import WORKFLOWS_DIR


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
    """The routing rules in force: the responsibility DMN in the newest version of the lifecycle process (the one
    reports start, ``city.intake.report.LIFECYCLE``); None before it is deployed or when it carries no such table.
    Another process that happens to hold a responsibility table is not what routes reports."""
    newest = latest_version(uow.store, LIFECYCLE)
    if newest is None:
        return None
    found = version_sources(uow.store, newest.id)
    sources = found[4] if found else {}
    marker = f'id="{DECISION_ID}"'
    for name, text in sorted(sources.items()):
        if name.endswith(".dmn") and marker in text and find_table(parse(text)) is not None:
            return DeployedRules(LIFECYCLE, newest.number, sources, name)
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


def _newest_or_conflict(uow: UnitOfWork, cmd: ac.MoveSubtypeRouting, read: DeployedRules) -> None:
    """Refuse (409 naming ``version``) when the rules in force are no longer the version the edit was made on:
    another move or deploy came first, and storing this edit would silently undo it."""
    now = _check(uow, cmd)
    if now.number != read.number:
        raise ConcurrencyConflict(f"the routing rules changed (version {read.number} → {now.number}) while this "
                                  "move was being made; look again and retry", field="version")


def move_subtype_routing(cmd: ac.MoveSubtypeRouting, ctx: HandlerContext) -> dict[str, Any]:
    """Edit the deployed rules for the subtype and deploy them as a new version of the lifecycle (validated as
    the designer's deploy), with the change kept in ``admin_changes``, in one unit of work. The edit is made on
    the version read first; the write re-checks that version is still the newest (else 409 ``version``)."""
    check_common(cmd.actor, cmd.comment)
    check_code(cmd.subtype_code, "subtype_code")
    check_code(cmd.department, "department")
    with ctx.deps.uow(read_only=True) as uow:
        found = _check(uow, cmd)
    text, changed = move_subtype(found.dmn, cmd.subtype_code, cmd.department)
    comment = cmd.comment or f"{cmd.subtype_code} → {cmd.department}"
    if not changed:
        return {"process_id": found.process_id, "version": found.number, "rules": [], "created": False}
    bundles = prepare_bundles(ctx.deps, {**found.sources, found.file_name: text}, WORKFLOWS_DIR)
    try:
        with ctx.deps.uow() as uow:
            _newest_or_conflict(uow, cmd, found)
            deployed = store_bundles(uow, bundles, cmd.actor, comment, ctx.deps.clock.now())
            version = next((d for d in deployed if d.process_id == found.process_id), deployed[0])
            record(uow, ctx, "routing", cmd.subtype_code, "move",
                   {"process_id": found.process_id, "version": found.number},
                   {"department": cmd.department, "process_id": version.process_id, "version": version.number,
                    "rules": changed}, cmd.actor, comment)
    except GridcaseError:
        raise
    except Exception as exc:
        if is_unique_violation(exc):  # PostgreSQL: another move numbered the same version at the same time
            raise ConcurrencyConflict("another change of the routing rules ran at the same time; retry",
                                      field="version") from exc
        raise
    return {"process_id": version.process_id, "version": version.number, "rules": changed, "created": True}
