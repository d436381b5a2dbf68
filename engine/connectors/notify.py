"""The notify connector: a service task that tells people about the case (returned 回退, rework 返工, the result to
the reporter, supervision 督办 …) through gridcase's notifications.

Model (``spiffworkflow:property`` entries): ``connector`` = ``notify``; ``notifyKind`` (an event kind of
``engine.domain.notifications.KINDS``); ``notifyTo`` (an expression giving a list of ``"group:NAME"`` /
``"person:NAME"``); ``notifyUrgency`` (``normal``, ``urgent``, or an expression giving one; default normal);
``notifyData`` (an expression giving the templates' fields: reason, due_at …); ``notifyResult`` (the case variable
receiving ``{"kind", "to", "at"}``; default ``notification``). Expressions are FEEL (``=…``) or sandboxed Python,
as the http connector's. The bare names ``kind``, ``to``, ``urgency``, ``data`` are read too.

The call is prepared in the step that reaches the task and checked there; the scheduler's connector loop then
completes the job at once (nothing leaves the process here), and the engine's notification step hook writes the
notification in that completion's transaction, keyed by the job (never twice).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from engine.connectors.base import Completed, ConnectorSettings, Evaluate, Outcome, reserved_topic
from engine.domain import notifications as n

NAME = "notify"
TOPIC = reserved_topic(NAME)
DEFAULT_RESULT = "notification"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _get(properties: Mapping[str, str], name: str) -> str:
    """The property ``notify<Name>`` or its bare name, stripped."""
    return (properties.get("notify" + name[0].upper() + name[1:]) or properties.get(name) or "").strip()


def check(properties: Mapping[str, str]) -> None:
    """ValueError naming the property when the model's notification is not valid (deploy and lint)."""
    kind = _get(properties, "kind")
    if kind not in n.KINDS:
        raise ValueError(f"notifyKind {kind!r} must be one of {', '.join(n.KINDS)}")
    if not _get(properties, "to"):
        raise ValueError('the notify connector needs the property "notifyTo" (a list of "group:NAME"/"person:NAME")')
    result = _get(properties, "result") or DEFAULT_RESULT
    if not _IDENTIFIER.fullmatch(result):
        raise ValueError(f"notifyResult {result!r} must be a variable name")


def prepare(properties: Mapping[str, str], data: Mapping[str, Any], evaluate: Evaluate) -> dict[str, Any]:
    """The notification the job carries: kind, recipients, urgency, template data, result variable."""
    to = evaluate(_get(properties, "to"))
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list | tuple):
        raise ValueError(f"notifyTo must give a list of 'group:NAME'/'person:NAME', not {type(to).__name__}")
    for item in to:
        n.parse_recipient(item)
    urgency_text = _get(properties, "urgency") or n.NORMAL
    urgency = urgency_text if urgency_text in n.URGENCIES else evaluate(urgency_text)
    if urgency not in n.URGENCIES:
        raise ValueError(f"notifyUrgency must give one of {', '.join(n.URGENCIES)}, not {urgency!r}")
    expression = _get(properties, "data")
    fields = evaluate(expression) if expression else {}
    if not isinstance(fields, dict):
        raise ValueError(f"notifyData must give an object of template fields, not {type(fields).__name__}")
    try:
        fields = json.loads(json.dumps(fields, allow_nan=False, default=str))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"notifyData: its value cannot be stored as JSON ({exc})") from None
    return {"connector": NAME, "kind": _get(properties, "kind"), "to": [str(item) for item in to],
            "urgency": urgency, "data": fields, "result": _get(properties, "result") or DEFAULT_RESULT}


class NotifyConnector:
    """The registry's entry for ``connector`` = ``notify``."""

    name = NAME
    topic = TOPIC
    lock_ms = 60_000  # nothing to wait for: the call only completes the job
    expressions: tuple[str, ...] = ("notifyTo", "notifyData", "notifyUrgency", "to", "data", "urgency")

    def check(self, properties: Mapping[str, str]) -> None:
        """See ``check``."""
        check(properties)

    def prepare(self, properties: Mapping[str, str], data: Mapping[str, Any], evaluate: Evaluate) -> dict[str, Any]:
        """See ``prepare``."""
        return prepare(properties, data, evaluate)

    def call(self, call_: Mapping[str, Any], settings: ConnectorSettings) -> Outcome:
        """Complete the job: the notification is written by the step that completes it (the step hook runs for
        every step that records events). The receipt holds no time: the case's data has only the case's clock."""
        return Completed({str(call_["result"]): {"kind": call_["kind"], "to": list(call_["to"])}})
