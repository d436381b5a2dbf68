"""Events SpiffWorkflow 3.2 does not parse fully: error and escalation start events (of event subprocesses),
``isInterrupting``, and signal end events (read as none end events, so they threw nothing).

SpiffWorkflow's start event parser reads message, signal, timer and conditional definitions only, so an error- or
escalation-started event subprocess was parsed as a none start event and ran at once. This parser reads those too,
and keeps a start event's ``isInterrupting="false"`` in the task spec's extensions (``interrupting``: False), where
``engine.bpmn.event_subprocesses`` reads it (absent: BPMN's default, interrupting); extensions are serialized with
the spec. It is written by ``parse_extensions``, because SpiffWorkflow's ``parse_node`` replaces a task spec's
extensions with that method's result after ``create_task``; only the non-default value is written, so the specs
of every other model serialize, and hash, as before.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    TIMER_EVENT_XPATH,
)

INTERRUPTING = "interrupting"
_START_EVENT = "{http://www.omg.org/spec/BPMN/20100524/MODEL}startEvent"
_END_EVENT = "{http://www.omg.org/spec/BPMN/20100524/MODEL}endEvent"


class _EventStartParserMixin:
    """Replaces a start event parser's ``create_task``: every start event kind, and ``isInterrupting``."""

    node: Any
    spec: Any
    get_event_definition: Any
    _create_task: Any

    def create_task(self) -> Any:
        """The start event's task spec, connected to the process's start, as SpiffWorkflow's parser does."""
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH,
                                                CONDITIONAL_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH])
        task = self._create_task(definition)
        self.spec.start.connect(task)
        return task

    def parse_extensions(self, node: Any = None) -> Any:
        """The start event's extensions, with ``interrupting: False`` for ``isInterrupting="false"`` (the
        extensions of its message, signal … elements are read through here too, and left as they are)."""
        extensions = super().parse_extensions(node)  # type: ignore[misc]
        if (node is None or node is self.node) and self.node.get("isInterrupting", "true") == "false":
            extensions = {**(extensions or {}), INTERRUPTING: False}
        return extensions


class _EventEndParserMixin:
    """Replaces an end event parser's ``create_task``: signal end events too."""

    spec: Any
    get_event_definition: Any
    _create_task: Any

    def create_task(self) -> Any:
        """The end event's task spec, connected to the process's end, as SpiffWorkflow's parser does."""
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH,
                                                ESCALATION_EVENT_XPATH, TERMINATION_EVENT_XPATH, SIGNAL_EVENT_XPATH])
        task = self._create_task(definition)
        task.connect(self.spec.end)
        return task


def event_parser_classes(override_classes: dict[str, tuple[type, type]]) -> dict[str, tuple[type, type]]:
    """Copy of a parser's ``OVERRIDE_PARSER_CLASSES`` whose start and end event parsers read every event kind."""
    result = dict(override_classes)
    for tag, mixin in ((_START_EVENT, _EventStartParserMixin), (_END_EVENT, _EventEndParserMixin)):
        parser_cls, spec_cls = result[tag]
        if not issubclass(parser_cls, mixin):
            parser_cls = type(f"Event{parser_cls.__name__}", (mixin, parser_cls), {"__module__": __name__})
        result[tag] = (parser_cls, spec_cls)
    return result
