"""Which task names which form: (task id, form reference) pairs of a BPMN text, for messages that name both.

``engine.bpmn.form_files.form_references`` gives the set of references a deploy must carry; a refusal of a form
found nowhere must also say which task asked for it, which this reads with the same rule (a user or manual task's,
or a start event's, ``form``/``formKey`` extension property).
"""

from __future__ import annotations

from lxml import etree

_OWNERS = ("//*[local-name()='userTask' or local-name()='manualTask' or local-name()='startEvent']"
           "[*[local-name()='extensionElements']/*[local-name()='properties']"
           "/*[local-name()='property'][@name='form' or @name='formKey']]")
_VALUES = ("*[local-name()='extensionElements']/*[local-name()='properties']"
           "/*[local-name()='property'][@name='form' or @name='formKey']/@value")


def task_forms(bpmn_text: str) -> list[tuple[str, str]]:
    """(element id, form reference) of every task or start event of ``bpmn_text`` naming a form; none when the
    text is not well-formed XML (the parser reports that)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(bpmn_text.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return []
    return [(str(owner.get("id") or "?"), str(value)) for owner in root.xpath(_OWNERS)
            for value in owner.xpath(_VALUES) if value]
