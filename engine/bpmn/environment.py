"""The environment helpers' answers kept with the step that asked them, so a replay gets the same ones.

``locate``, ``deadline`` and ``elapsed`` — and any helper a capability wraps with ``kept`` (the city's
``emergency_at``, for one) — answer from data that changes after a step ran (grids, component registry,
calendar, what is declared). A live step opens a recording (``begin_step``); the wrapped helpers append each
question once as ``[name, args_json, answer]``; the step's writer takes them (``take_step``) and stores them with
the step's events. A replay answers from a step's recorded list (``answering_step``) and asks the live helper
only for a question the step did not record (events written before answers were kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from engine.domain.events import canonical_json

ENVIRONMENT = ("locate", "deadline", "elapsed")
ENVIRONMENT_ANSWERED = "environment_answered"  # the step's last event: {"answers": [[name, args, answer], ...]}


class _Session:
    """One step's questions: recorded live, or answered from a recorded list in a replay."""

    def __init__(self, recorded: list[list[Any]] | None = None, resource: Any = None) -> None:
        self.resource = resource  # the live step's unit of work, for helpers that read the city inside it
        self.asked: list[list[Any]] = []
        self.keys: set[tuple[str, str]] = set()
        self.table = {(str(n), str(a)): answer for n, a, answer in recorded or []}

    def ask(self, name: str, args: str, live: Callable[[], Any]) -> Any:
        key = (name, args)
        answer = self.table[key] if key in self.table else live()
        if key not in self.keys:  # a script re-run in the budget worker asks again: recorded once
            self.keys.add(key)
            self.asked.append([name, args, answer])
        return answer


_SESSION: ContextVar[_Session | None] = ContextVar("gridcase_environment_step", default=None)


def key_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The question's arguments as canonical JSON (the same text the audit export uses)."""
    return canonical_json([list(args), kwargs])


def kept(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` answering through the open step's session (recorded or replayed); plain outside a step."""

    def call(*args: Any, **kwargs: Any) -> Any:
        session = _SESSION.get()
        if session is None:
            return func(*args, **kwargs)
        return session.ask(name, key_of(args, kwargs), lambda: func(*args, **kwargs))

    call.__name__ = getattr(func, "__name__", name)
    call.__doc__ = func.__doc__
    setattr(call, _KEPT_AS, name)
    return call


_KEPT_AS = "gridcase_kept_as"


def kept_as(func: Any) -> str | None:
    """The name a helper made by ``kept`` records its answers under, or None for any other helper."""
    name = getattr(func, _KEPT_AS, None)
    return name if isinstance(name, str) else None


def recorded_only(name: str) -> Callable[..., Any]:
    """A kept ``name`` that only gives recorded answers: a replay whose helpers lack one the case asked (an engine
    without the capability that installs it) still gives the step what it was told; an unrecorded question fails."""

    def unanswered(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"no answer was recorded for {name}{tuple(args)}")

    return kept(name, unanswered)


def answered_names(answers: list[list[Any]]) -> set[str]:
    """The helpers' names in recorded ``[name, args, answer]`` lists."""
    return {str(answer[0]) for answer in answers if isinstance(answer, list) and len(answer) == 3}


def with_recorded(helpers: Mapping[str, Any], answers: list[list[Any]]) -> Mapping[str, Any]:
    """``helpers`` and, for each helper ``answers`` hold answers of but ``helpers`` lack (a replay built without the
    capability that installs it), one giving the recorded answers (``recorded_only``): the case re-runs as it ran."""
    missing = sorted(answered_names(answers) - set(helpers))
    return {**helpers, **{name: recorded_only(name) for name in missing}} if missing else helpers


def begin_step(resource: Any = None) -> None:
    """Start recording the environment answers of a live step (any earlier unfinished recording is dropped);
    ``resource``: the step's unit of work, which helpers read through (``step_resource``) instead of taking a
    second pooled connection while the step's write transaction holds one."""
    _SESSION.set(_Session(resource=resource))


def step_resource() -> Any:
    """What the running live step handed ``begin_step`` (its unit of work), or None (no step, or a replay)."""
    session = _SESSION.get()
    return None if session is None else session.resource


def take_step() -> list[list[Any]]:
    """The answers the step recorded since ``begin_step`` (none if it began none); recording stops."""
    session = _SESSION.get()
    _SESSION.set(None)
    return session.asked if session is not None else []


@contextmanager
def answering_step(recorded: list[list[Any]]) -> Iterator[None]:
    """Inside: the environment helpers give ``recorded``'s answers (a replayed step), else ask live."""
    token = _SESSION.set(_Session(recorded))
    try:
        yield
    finally:
        _SESSION.reset(token)
