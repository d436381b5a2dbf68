"""The messages of one evaluation (a value outside its type, a UNIQUE table with two hits…), collected per
call without being passed through every function: FEEL functions built from BKMs run inside ``feel`` calls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_NOTES: ContextVar[list[str] | None] = ContextVar("dmn_notes", default=None)
_MATCHED: ContextVar[list[str] | None] = ContextVar("dmn_matched_rules", default=None)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the notes made inside into the yielded list (a nested collection shares the outer list)."""
    outer = _NOTES.get()
    if outer is not None:
        yield outer
        return
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note(message: str) -> None:
    """Record a message for the running evaluation (dropped when nobody collects)."""
    notes = _NOTES.get()
    if notes is not None and message not in notes:
        notes.append(message)


@contextmanager
def matching() -> Iterator[list[str]]:
    """Collect the ids of the rules the decision tables evaluated inside match (a fresh list: a decision's own;
    callers show which rule decided, e.g. the engine's ``<decision>_rules``)."""
    found: list[str] = []
    token = _MATCHED.set(found)
    try:
        yield found
    finally:
        _MATCHED.reset(token)


def matched(rule_ids: list[str]) -> None:
    """Record the rules a decision table matched (dropped when nobody collects)."""
    found = _MATCHED.get()
    if found is not None:
        found.extend(rule_ids)
