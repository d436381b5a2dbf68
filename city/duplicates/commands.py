"""The command of duplicates at 立案."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class VoidAsDuplicate(Command):
    """Void the report ``case_no`` at 立案 as a duplicate of the open case ``duplicate_of`` (a case number), and link
    the two both ways, in one transaction (``city.duplicates.voiding``).

    ``task_id``: the case's ready 立案 task (the task page knows it); None: the case's one ready task whose model
    milestone is ``filed``. ``allow_other_subtype``: the operator confirms a duplicate of another subtype (refused
    otherwise, naming the field). The task is claimed for ``actor`` if nobody holds it.
    """

    case_no: str
    duplicate_of: str
    actor: str
    note: str = ""
    task_id: str | None = None
    allow_other_subtype: bool = False
    expected_version: int | None = None
