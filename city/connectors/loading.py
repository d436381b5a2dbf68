"""LoadConnectors: the configuration file checked whole (every problem named ``connectors[i].path``, nothing
written on one), then one row per connector: new ones version 1, changed ones version+1, unchanged ones left alone,
ones missing from the file deactivated (never deleted: their cases and delivery log stay)."""

from __future__ import annotations

from typing import Any

from city.connectors.commands import LoadConnectors
from city.connectors.config import file_problems, parse_file, stored_form
from city.intake.report import SYSTEM_CHANNELS
from city.package.profile import channel_codes
from city.persistence.read import connectors as reads
from city.persistence.repositories import connectors as repo
from city.registry_loads import refuse_non_admins
from engine.domain.forms import FieldsRejected
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

KEEPING = "load the connectors' configuration"
# the channels whose reports the lifecycle takes past 核实 (workflows/case_lifecycle.bpmn): staff's own findings,
# never a citizen's call transferred by a hotline
UNVERIFIED = ("patrol", "census")


def _row(item: dict[str, Any]) -> repo.ConfigRow:
    active = bool(item.get("active", True))
    return repo.ConfigRow(item["code"], item["kind"], item["name"], stored_form(item), active)


def _changed(row: repo.ConfigRow, stored: dict[str, Any]) -> bool:
    return (row.kind, row.name, row.config_json, row.active) != (stored["kind"], stored["name"],
                                                                 stored["config_json"], stored["active"])


def channel_problems(store: CaseStore, items: list[Any]) -> dict[str, str]:
    """``connectors[i].channel`` of each hotline connector whose channel is not one of the city's active channels,
    or is one the system sets itself (``SYSTEM_CHANNELS``) or one the lifecycle takes past 核实 (``UNVERIFIED``).
    The intake starts transferred orders with ``system=True``, which skips the channel table, so it is checked here."""
    codes = [code for code in channel_codes(store) if code not in SYSTEM_CHANNELS + UNVERIFIED]
    message = "must be one of the city's channels: " + ", ".join(codes)
    return {f"connectors[{index}].channel": message for index, item in enumerate(items)
            if item["kind"] == "hotline" and item.get("channel", "hotline") not in codes}


def load_connectors(cmd: LoadConnectors, ctx: HandlerContext) -> dict[str, Any]:
    """Check and load the file in one transaction: ``{inserted, updated, unchanged, deactivated}`` (codes)."""
    check_text(cmd.actor, "actor")
    items, problems = parse_file(cmd.content)
    problems = problems or file_problems(items)
    if problems:
        raise FieldsRejected(problems, f"the connectors' file has {len(problems)} problem(s); nothing was loaded")
    result: dict[str, list[str]] = {"inserted": [], "updated": [], "unchanged": [], "deactivated": []}
    with ctx.deps.uow() as uow:
        store, now = uow.store, ctx.deps.clock.now()
        repo.lock_loads(store)
        refuse_non_admins(uow, cmd.actor, KEEPING)
        problems = channel_problems(store, items)
        if problems:
            raise FieldsRejected(problems, f"the connectors' file has {len(problems)} problem(s); nothing was loaded")
        stored = reads.configs(store)
        for row in (_row(item) for item in items):
            if row.code not in stored:
                repo.insert_config(store, row, cmd.actor, now)
                result["inserted"].append(row.code)
            elif _changed(row, stored[row.code]):
                repo.update_config(store, row, stored[row.code]["version"] + 1, cmd.actor, now)
                result["updated"].append(row.code)
            else:
                result["unchanged"].append(row.code)
        named = {item["code"] for item in items}
        for code, old in stored.items():
            if code not in named and old["active"]:
                row = repo.ConfigRow(code, old["kind"], old["name"], old["config_json"], False)
                repo.update_config(store, row, old["version"] + 1, cmd.actor, now)
                result["deactivated"].append(code)
    return result
