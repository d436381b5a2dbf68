"""Four eyes on an enforcement case (四眼原则, docs/enforcement.md): who proposed the filing (立案) or decided the
penalty (处罚决定) does not approve it. The team leader is a member of the team's group too, so the task groups
alone would let one person propose and approve: this step hook refuses, in the step's transaction (nothing
written, 403 naming the field), an approval by the one who completed the proposal it approves, and a proposal
completed by the leader who would approve it (nobody else could approve it). The leader still does the team's
other work."""

from __future__ import annotations

from typing import Any

from city.persistence.read import enforcement_rows as reads
from engine.domain import events as ev
from engine.domain.errors import NotAllowed
from engine.persistence.enforcement_records import STAGES
from engine.persistence.uow import UnitOfWork
from engine.service.step_hooks import StepWritten

# approval task → (the proposal it approves, the field its refusal names)
APPROVALS = {"approve_filing": ("propose_filing", "filing_review.decision"),
             "approve_decision": ("decide_penalty", "decision_review.decision")}
# proposal task → the field its refusal names
PROPOSALS = {"propose_filing": "filing_proposal", "decide_penalty": "decision"}


def is_enforcement(data: dict[str, Any]) -> bool:
    """Whether a step's case data is an enforcement case's (its ``enforcement`` section at a known stage)."""
    enforcement = data.get("enforcement") if data else None
    return isinstance(enforcement, dict) and enforcement.get("stage") in STAGES


def refuse_own_approval(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook: NotAllowed when the step's actor approves what they proposed, or proposes what they approve."""
    if not is_enforcement(step.data):
        return
    for record in step.records:
        if record.event_type != ev.TASK_COMPLETED or record.bpmn_id is None:
            continue
        if record.bpmn_id in APPROVALS:
            proposal, field = APPROVALS[record.bpmn_id]
            if reads.last_completer(uow.store, step.case_id, proposal) == step.actor:
                raise NotAllowed(f"{step.actor} completed {proposal}: another approves it (四眼原则)", field=field)
        elif record.bpmn_id in PROPOSALS and step.data.get("team_leader") == f"person:{step.actor}":
            raise NotAllowed(f"{step.actor} is the team leader, who approves it: another member of the team completes"
                             f" {record.bpmn_id} (四眼原则)", field=PROPOSALS[record.bpmn_id])
