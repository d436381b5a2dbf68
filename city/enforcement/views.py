"""What the case page shows of law enforcement (转执法): the enforcement cases transferred from the case, and whether
the person looking may transfer it now — the same rules the command applies, so the button shows only where the
command would not refuse for who or what it is."""

from __future__ import annotations

from typing import Any

from city.enforcement.transfer import may_transfer
from city.persistence.read import enforcement_rows as reads
from engine.service.accounts import Principal
from engine.service.deps import Deps


def transfer_state(deps: Deps, case_id: int, who: Principal) -> dict[str, Any]:
    """``{enforcements: [{id, case_no, number, team, stage, transferred_at}], may_transfer}`` for case ``case_id``."""
    with deps.uow(read_only=True) as uow:
        store = uow.store
        enforcements = reads.enforcements_of(store, case_id)
        state = reads.case_state(store, case_id)
        open_case = state is not None and state["result"] == "open" and state["status"] == "running"
        under_way = any(e["stage"] in reads.OPEN_STAGES for e in enforcements)
        allowed = may_transfer(uow, deps, who, case_id)
    return {"enforcements": enforcements, "may_transfer": open_case and not under_way and allowed}
