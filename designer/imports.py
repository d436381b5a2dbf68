"""Lint findings for models made with other tools (Camunda, Flowable, Signavio, the BPMN MIWG's references).

Runs on each BPMN tree before gridcase's own rules, and rewrites the tree as deployment does
(``engine.bpmn.foreign``): each JUEL expression translated to Python, and each Camunda ``camunda:decisionRef`` read
as the decision it names, is a warning saying what became what; each one that cannot be is an error saying why
and what to write. A process marked ``isExecutable="false"``
(how many tools export a model) is an error when no process of the deploy is executable — there would be
nothing to deploy — and a warning otherwise (a black-box pool of a collaboration).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.bpmn.foreign import BPMN_NS, translate_expressions

Finding = tuple[str | None, str, str]  # element id, severity, message (as designer.lint)


def has_executable_process(trees: Iterable[Any]) -> bool:
    """True when any BPMN tree has a process not marked ``isExecutable="false"`` (absent means executable)."""
    return any(process.get("isExecutable") != "false"
               for tree in trees for process in tree.iter(f"{{{BPMN_NS}}}process"))


def import_findings(tree: Any, executable_elsewhere: bool) -> list[Finding]:
    """Translations and refusals of foreign expressions in ``tree`` (rewritten in place), and its
    non-executable processes; ``executable_elsewhere``: some process of the deploy is executable."""
    findings: list[Finding] = [
        (found.element_id, "warning" if found.refusal is None else "error", found.message)
        for found in translate_expressions(tree)]
    for process in tree.iter(f"{{{BPMN_NS}}}process"):
        if process.get("isExecutable") != "false":
            continue
        named = f"process {process.get('name')!r} (id {process.get('id')})" if process.get("name") else \
            f"process {process.get('id')}"
        if executable_elsewhere:
            findings.append((process.get("id"), "warning", f"{named} is marked isExecutable=\"false\": it is not "
                             "deployed with the others; set isExecutable=\"true\" on it to deploy it too"))
        else:
            findings.append((process.get("id"), "error", f"{named} is marked isExecutable=\"false\", so there is "
                             "nothing to deploy: set isExecutable=\"true\" on the process (other tools export "
                             "models as not executable by default)"))
    return findings
