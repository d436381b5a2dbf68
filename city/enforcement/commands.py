"""Law enforcement's commands (智慧执法). The enforcement case's own steps are its tasks, completed through the normal
task API (``CompleteHumanTask``); what the case decides returns to the originating case by the step hook
(``city.enforcement.wiring``)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class TransferToEnforcement(Command):
    """Transfer case ``case_no`` to enforcement (转执法) for ``reason``: starts its ``enforcement_case`` case (the team
    by the case's district) and the ``enforcement_cases`` row. The centre's dispatchers, shift leads and supervisors
    may, and a member of the department whose disposal task of the case is open (403 otherwise); refused (409) when
    the case is closed or voided or already has an enforcement case under way. Returns
    ``{enforcement_id, case_no, enforcement_case_no, team}``."""

    case_no: str
    reason: str
    actor: str
