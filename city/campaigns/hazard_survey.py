"""An emergency's hazard survey (隐患排查) as the command dashboard starts it: a ``hazard_survey`` campaign over the
emergency's area with the city package's hazard topics, from now to the emergency's end, naming the emergency —
the same ``StartCampaign`` the campaigns page sends, so the same checks (roles, topics, area, period)."""

from __future__ import annotations

from typing import Any

from city.campaigns.commands import StartCampaign
from city.persistence.read import campaign_pages
from city.persistence.read import emergency as emergency_reads
from engine.domain.errors import ConcurrencyConflict, NotFound
from engine.service.deps import Deps

KIND = "hazard_survey"
HAZARD_GROUP = "hazard"


def emergency_surveys(deps: Deps, emergency_id: int) -> list[dict[str, Any]]:
    """The hazard surveys already started for the emergency, oldest first (id, name, state)."""
    with deps.uow(read_only=True) as uow:
        return campaign_pages.emergency_surveys(uow.store, emergency_id)


def survey_command(deps: Deps, emergency_id: int, actor: str, actor_kind: str | None = None,
                   another: bool = False) -> StartCampaign:
    """The StartCampaign of the emergency's hazard survey (404 for an unknown emergency, 409 for an ended one);
    an emergency whose period is over gets the command's own refusal (``ends_at``), a city without hazard topics
    its ``topics``, one with a running survey its ``another`` (409) unless ``another``."""
    with deps.uow(read_only=True) as uow:
        found = emergency_reads.emergency(uow.store, emergency_id)
        if found is None:
            raise NotFound(f"no emergency {emergency_id}", field="emergency_id")
        if found["state"] != "active":
            raise ConcurrencyConflict(f"emergency {emergency_id} has ended: no hazard survey", field="emergency_id")
        topics = tuple(t["code"] for t in campaign_pages.topics(uow.store, HAZARD_GROUP))
    area = found.get("area") or {}
    return StartCampaign(f"隐患排查 Hazard survey · {found.get('case_no') or emergency_id}", KIND, topics,
                         {"districts": list(area.get("districts") or []), "streets": list(area.get("streets") or [])},
                         deps.clock.now(), found["ends_at"], (), actor, emergency_id=emergency_id,
                         another=another, actor_kind=actor_kind)
