"""The emergency commands' handlers, registered by ``city.bootstrap``.

Declaring starts the ``emergency_event`` case — in one transaction with the start form's check, the model's own
checks (``reject`` naming the field), the read model's rows (``city.emergency.read_model``) and one ``assembly_call``
case per called person (``engine.service.bulk_starts``) — with the case's id as the emergency's id, so the models'
signals and links can name it. Acknowledging and checking in complete the person's call case's user tasks, ending
the emergency case's, through ``CompleteHumanTask``'s handler: the same checks as the task API.
"""

from __future__ import annotations

import json
from typing import Any

from city.emergency import commands as ec
from city.package.extras import EMERGENCY_DEFAULTS
from city.persistence.read import emergency as reads
from city.persistence.repositories.emergency import CALL_CHANNEL
from engine.domain import commands as c
from engine.domain.commands import Command
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.read import city_package
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.summaries import live_case_no
from engine.persistence.repositories.versions import latest_version
from engine.service.bulk_starts import finish_bulk, start_cases_in
from engine.service.bus import Handler, HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import check_text, complete_human_task, finish_command, ready_ids, start_in
from engine.service.process_starts import check_hand_start
from engine.service.task_forms import check_form

PROCESS_ID = "emergency_event"
CALL_PROCESS = "assembly_call"


def declaration_defaults(store: CaseStore) -> dict[str, Any]:
    """The loaded city's defaults of a declaration (teams with leaders, ack time, assembly point, signalled kinds:
    its package's ``emergency_defaults.json``), what the declare form shows and what a declaration naming no teams
    calls; a city without them has no teams (a declaration must name its own) and 20 minutes to acknowledge."""
    found = city_package.package_extra(store, *EMERGENCY_DEFAULTS)
    return dict(json.loads(found)) if found is not None else {"teams": [], "ack_within_minutes": 20}


def city_defaults(deps: Deps) -> dict[str, Any]:
    """``declaration_defaults`` read on their own (the declare form)."""
    with deps.uow(read_only=True) as uow:
        return declaration_defaults(uow.store)


def start_data(cmd: ec.DeclareEmergency, defaults: dict[str, Any]) -> dict[str, Any]:
    """The ``emergency_event`` case's start data (its start form's fields) from the command and the city's
    ``defaults``."""
    data: dict[str, Any] = {
        "kind": cmd.kind, "level": cmd.level, "area": cmd.area, "starts_at": cmd.starts_at, "ends_at": cmd.ends_at,
        "commander": cmd.commander, "teams": list(cmd.teams) or list(defaults.get("teams") or []),
        "ack_within_minutes": cmd.ack_within_minutes if cmd.ack_within_minutes is not None
        else int(defaults.get("ack_within_minutes") or 20),
        "assembly_point": cmd.assembly_point if cmd.assembly_point is not None
        else dict(defaults.get("assembly_point") or {}),
        "signal_kinds": list(cmd.signal_kinds)}
    if cmd.name:
        data["name"] = cmd.name
    return data


def call_payloads(emergency_id: int, data: dict[str, Any]) -> list[dict[str, Any]]:
    """One ``assembly_call`` case's start data per person the declaration calls (its model's data)."""
    common = {"emergency_id": emergency_id, "name": data.get("name") or data.get("kind") or "",
              "level": data.get("level") or "", "commander": data.get("commander") or "",
              "ack_due_at": data.get("ack_due_at"), "place": (data.get("assembly_point") or {}).get("name") or ""}
    return [{**common, "call": {"username": p["username"], "team": p.get("team") or "", "leader": p.get("leader")}}
            for p in data.get("assembly_list") or []]


def declare_emergency(cmd: ec.DeclareEmergency, ctx: HandlerContext) -> dict[str, Any]:
    """Start the emergency's case (starter and form checked as a hand start) and one ``assembly_call`` case per
    called person, in one transaction; ``{id, case_id, case_no}``."""
    deps: Deps = ctx.deps
    check_text(cmd.actor, "actor")
    if not isinstance(cmd.area, dict):
        raise InvalidCommand("give the area: {districts: [...], streets: [...]}", field="area")
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        data = start_data(cmd, declaration_defaults(store))
        version = latest_version(store, PROCESS_ID)
        if version is None:
            raise NotFound(f"no deployed process {PROCESS_ID!r}", field="process_id")
        form = check_hand_start(deps, uow, cmd.actor, version, check_starter=True, check_form=True)
        case = store.insert_case(process_id=PROCESS_ID, version_id=version.id, actor=cmd.actor, channel=None,
                                 external_id=None, now=now)
        check_form(store, form, data, case.id)
        start = c.StartCase(PROCESS_ID, {**data, "emergency_id": case.id}, cmd.actor, actor_kind=cmd.actor_kind)
        runner, outcome, version_no = start_in(uow, deps, case, version.number, start, now, hooks=deps.step_hooks)
        case_no = live_case_no(store, case.id)
        calls = start_cases_in(uow, deps, CALL_PROCESS, call_payloads(case.id, outcome.case_data or {}),
                               cmd.actor, now, actor_kind=cmd.actor_kind, numbers=False, channel=CALL_CHANNEL,
                               external_ids=[f"{case.id}:{p['username']}" for p in
                                             (outcome.case_data or {}).get("assembly_list") or []])
    finish_command(deps, ctx, case.id, version_no, runner, outcome)
    finish_bulk(deps, ctx, calls)
    return {"id": case.id, "case_id": case.id, "case_no": case_no, "ready_tasks": list(ready_ids(outcome))}


def _emergency(deps: Deps, emergency_id: int) -> dict[str, Any]:
    with deps.uow(read_only=True) as uow:
        found = reads.emergency(uow.store, emergency_id)
    if found is None:
        raise NotFound(f"no emergency {emergency_id}", field="emergency_id")
    return found


def _own_task(deps: Deps, emergency: dict[str, Any], bpmn_id: str, group: str, what: str) -> str:
    """The id of the person's (``group``) ready ``bpmn_id`` task of the emergency, else why not (404 / 409)."""
    username = group.removeprefix("person:")
    with deps.uow(read_only=True) as uow:
        task_id = (reads.ready_task(uow.store, emergency["case_id"], bpmn_id, group) if bpmn_id == "end_emergency"
                   else reads.call_task(uow.store, emergency["id"], username, bpmn_id))
        call = reads.call_of(uow.store, emergency["id"], group.removeprefix("person:"))
    if task_id is not None:
        return task_id
    if call is None and bpmn_id != "end_emergency":
        raise NotFound(f"{group.removeprefix('person:')} was not called to assemble for emergency {emergency['id']}",
                       field="emergency_id")
    raise InvalidCommand(f"nothing to {what}: the emergency is {emergency['state']}"
                         + (f", the call is {call['state']}" if call else ""), field="emergency_id")


def _complete(ctx: HandlerContext, task_id: str, data: dict[str, Any], cmd: Command, actor: str) -> dict[str, Any]:
    ref = complete_human_task(c.CompleteHumanTask(task_id, data, actor, claim_if_free=True,
                                                  actor_kind=cmd.actor_kind), ctx)
    return {"task_id": task_id, "case_id": ref.case_id, "version": ref.version}


def acknowledge_assembly(cmd: ec.AcknowledgeAssembly, ctx: HandlerContext) -> dict[str, Any]:
    """Complete the person's own ``acknowledge_assembly`` task (收到)."""
    check_text(cmd.actor, "actor")
    emergency = _emergency(ctx.deps, cmd.emergency_id)
    task_id = _own_task(ctx.deps, emergency, "acknowledge_assembly", f"person:{cmd.actor}", "acknowledge")
    ack = {"note": cmd.note} if cmd.note else {}
    return _complete(ctx, task_id, {"ack": ack}, cmd, cmd.actor)


def check_in_assembly(cmd: ec.CheckInAssembly, ctx: HandlerContext) -> dict[str, Any]:
    """Complete the person's own ``check_in_assembly`` task (到达) with the phone's position."""
    check_text(cmd.actor, "actor")
    for name in ("lon", "lat"):
        value = getattr(cmd, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidCommand(f"{name} must be a number", field=name)
    emergency = _emergency(ctx.deps, cmd.emergency_id)
    task_id = _own_task(ctx.deps, emergency, "check_in_assembly", f"person:{cmd.actor}", "check in")
    return _complete(ctx, task_id, {"check_in": {"lon": float(cmd.lon), "lat": float(cmd.lat)}}, cmd, cmd.actor)


def end_emergency(cmd: ec.EndEmergency, ctx: HandlerContext) -> dict[str, Any]:
    """Complete the commander's ``end_emergency`` task (应急结束); another account may end it only when the entry
    point allowed it (a supervisor, shift lead or admin: ``web.policy.DECLARE_EMERGENCIES``), recorded as theirs."""
    check_text(cmd.actor, "actor")
    emergency = _emergency(ctx.deps, cmd.emergency_id)
    if emergency["state"] != "active":
        raise InvalidCommand(f"emergency {cmd.emergency_id} has already ended", field="emergency_id")
    group = f"person:{emergency['commander']}"
    task_id = _own_task(ctx.deps, emergency, "end_emergency", group, "end")
    ending = {"summary": cmd.summary} if cmd.summary else {}
    return _complete(ctx, task_id, {"ending": ending}, cmd, cmd.actor)


EMERGENCY_HANDLERS: dict[type[Command], Handler] = {
    ec.DeclareEmergency: declare_emergency,
    ec.AcknowledgeAssembly: acknowledge_assembly,
    ec.CheckInAssembly: check_in_assembly,
    ec.EndEmergency: end_emergency,
}
