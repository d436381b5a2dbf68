"""ReceiveWorkOrder: a work order another system transferred (its signature checked by the route) becomes a
lifecycle case through ``report_problem`` on the connector's channel, with ``external_id`` ``<code>:<order id>``:
the same order again answers the first case and writes nothing (``created: false``), also when two identical
posts race (the (channel, external_id) unique index). In the start's transaction: the ``connector_cases`` row
(the sender's deadline, the order as received) and the case followed (``public_stages``), so its stage changes are
pushed back (``city.connectors.pushes``). The sender's deadline is kept and shown; the city's own time limits are
the lifecycle's, unchanged by it."""

from __future__ import annotations

import json
from typing import Any

from city.commands import ReportProblem
from city.connectors import pushes
from city.connectors.commands import ReceiveWorkOrder
from city.connectors.orders import MappedOrder, read_body
from city.connectors.orders_map import map_order
from city.connectors.wiring import caches_of
from city.facts.model import CaseFacts
from city.intake.report import report_problem
from city.persistence.repositories import connectors as repo
from city.persistence.repositories import public_stages
from city.public.stage import StageChange
from engine.domain.errors import NotFound
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps


def hotline_config(deps: Deps, code: str) -> dict[str, Any]:
    """The active hotline connector ``code``'s row; NotFound (404) for an unknown or inactive one."""
    with deps.uow(read_only=True) as uow:
        found = caches_of(deps).active(uow.store).get(code)
    if found is None or found["kind"] != "hotline":
        raise NotFound(f"no active hotline connector {code!r}", field="connector")
    return found


def _report(code: str, config: dict[str, Any], order: MappedOrder) -> ReportProblem:
    actor = f"connector:{code}"
    return ReportProblem(order.subtype, order.description, order.lon, order.lat,
                         channel=str(config.get("channel", "hotline")), actor=actor,
                         external_id=f"{code}:{order.order_id}", reporter=actor, urgency=order.urgency,
                         actor_kind="api_client")


def receive_work_order(cmd: ReceiveWorkOrder, ctx: HandlerContext) -> dict[str, Any]:
    """Map and report the order: ``{"case_no", "created"}``; 404 for no such connector, 422 naming the field."""
    config = hotline_config(ctx.deps, cmd.connector)
    order = map_order(read_body(cmd.body), config["config"]["inbound"])
    received = json.dumps(order.received, ensure_ascii=False, sort_keys=True)

    def then(uow: UnitOfWork, case_id: int, case_no: str | None) -> None:
        now = ctx.deps.clock.now()
        repo.insert_case(uow.store, cmd.connector, order.order_id, case_id, order.deadline, received, now)
        stage = public_stages.follow(uow.store, case_id, now)
        change = StageChange(case_id, "", stage, CaseFacts(reported_at=now), {}, now)
        pushes.order_received(uow, config, order.order_id, change)

    ref = report_problem(_report(cmd.connector, config["config"], order), ctx, system=True, then=then)
    return {"case_no": ref.case_no, "created": ref.created}


HANDLERS: dict[type, Any] = {ReceiveWorkOrder: receive_work_order}
