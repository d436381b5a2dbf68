"""The message bus: routes each command to its one handler; follow-up commands run after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.domain.commands import Command
from engine.domain.errors import GridcaseError
from engine.persistence.uow import command_scope
from engine.service.observe import CommandObserver, command_observed

log = logging.getLogger(__name__)


@dataclass
class HandlerContext:
    """What a handler gets besides its command: the wiring, and a list for follow-up commands."""

    deps: Any
    follow_ups: list[Command] = field(default_factory=list)


Handler = Callable[[Any, HandlerContext], Any]


class MessageBus:
    """Dispatches commands; thread-safe, since every call gets its own context."""

    def __init__(self, handlers: dict[type[Command], Handler], deps: Any) -> None:
        self.handlers = handlers
        self.deps = deps
        self.observers: list[CommandObserver] = []  # told of each command after it ends (metrics, command log)

    def handle(self, command: Command) -> Any:
        """Run ``command``'s handler (its own transaction), then the follow-ups it queued.

        Only inside the handler may a unit of work write: it commits when its block ends cleanly.
        """
        handler = self.handlers.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        ctx = HandlerContext(self.deps)
        duty = getattr(getattr(self.deps, "working_time", None), "duty", None)
        if duty is not None:
            # the duty calendar is never re-read inside a command: read it now if stale, so what a command's
            # deadlines see is at most one refresh old (the versions count from one refresh after their load)
            duty.current()
        with command_observed(self.observers, command), command_scope():
            result = handler(command, ctx)
        for follow_up in ctx.follow_ups:
            try:
                self.handle(follow_up)
            except GridcaseError as exc:  # a follow-up failing must not undo what already committed
                log.warning("follow-up %s failed: %s", type(follow_up).__name__, exc)
        return result
