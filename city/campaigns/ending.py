"""EndCampaign (结束普查): a running campaign ended before its period is over. The command reaches the campaign case
through its model — the ``end_campaign`` message its period waits for — and the model does the rest: it records
who, when and why, throws ``campaign_ended`` to the campaign's open sweeps (each closes itself, recorded as ended
early) and opens the report's review as the period's end would. The step hook (``wiring.keep_campaign_rows``)
keeps the campaign's and its grids' rows in step."""

from __future__ import annotations

from typing import Any

from city.campaigns.commands import EndCampaign
from city.campaigns.start import refuse_non_runners
from city.campaigns.validation import NOTE_CHARS, REFUSED, text_fault
from city.persistence.read import campaign_rows as rows
from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, NotFound
from engine.domain.forms import FieldsRejected
from engine.service.bus import HandlerContext
from engine.service.event_handlers import deliver_message
from engine.service.handlers import check_text

END_MESSAGE = "end_campaign"  # the census_campaign model's message: its period ends early


def _end_waits(ctx: HandlerContext, cmd: EndCampaign) -> tuple[int, tuple[str, ...]]:
    """The campaign case and its waiting ``end_campaign`` event, the actor and the campaign checked."""
    with ctx.deps.uow(read_only=True) as uow:
        refuse_non_runners(uow, cmd.actor)
        campaign = rows.campaign_row(uow.store, cmd.campaign_id)
        if campaign is None:
            raise NotFound(f"no campaign {cmd.campaign_id}", field="campaign_id")
        if campaign["state"] != "running":
            raise ConcurrencyConflict(f"campaign {cmd.campaign_id} has already ended", field="campaign_id")
        case_id = int(campaign["case_id"])
        waits = tuple(task for waiting, task, _ in uow.store.message_waits(END_MESSAGE) if waiting == case_id)
    if not waits:
        raise ConcurrencyConflict(f"campaign {cmd.campaign_id} cannot be ended early: its model version has no"
                                  " early end (it ends with its period)", field="campaign_id")
    return case_id, waits


def end_campaign(cmd: EndCampaign, ctx: HandlerContext) -> dict[str, Any]:
    """Deliver ``end_campaign`` to the campaign's case (its model checks the request and closes the period):
    ``{campaign_id, case_id, version}``. 404 for an unknown campaign, 409 for one already ended (or whose model has
    no early end), 403 for an account that may not run campaigns, 422 naming ``reason`` without one."""
    check_text(cmd.actor, "actor")
    fault = text_fault(cmd.reason, NOTE_CHARS)
    if fault is not None:
        raise FieldsRejected({"reason": fault if cmd.reason else "give the reason (结束原因)"}, REFUSED)
    case_id, waits = _end_waits(ctx, cmd)
    request = {"campaign_id": cmd.campaign_id, "actor": cmd.actor, "reason": cmd.reason.strip()}
    ref = deliver_message(c.DeliverMessage(case_id, END_MESSAGE, request, cmd.actor, waits,
                                           actor_kind=cmd.actor_kind), ctx)
    return {"campaign_id": cmd.campaign_id, "case_id": ref.case_id, "version": ref.version}
