"""Reads a script helper makes while a step runs: in the running step's own transaction when a command's step asks,
else in a read-only unit of work of its own.

A report holds a pooled connection in its write transaction; a helper opening a second one per lookup could wait for
ever on a full pool (and on SQLite would not see the step's own writes). Pages, the command line and replay have no
step running, so they read on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from engine.bpmn.environment import step_resource
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork, in_command


@contextmanager
def step_store(open_uow: Callable[..., AbstractContextManager[UnitOfWork]]) -> Iterator[CaseStore]:
    """The running step's store when a command's step is running, else one of a read-only ``open_uow()``."""
    store = None
    uow = step_resource()
    if isinstance(uow, UnitOfWork) and in_command():
        try:
            store = uow.store
        except RuntimeError:  # that step's unit of work has ended (its command failed): read on our own
            store = None
    if store is not None:
        yield store
        return
    with open_uow(read_only=True) as own:
        yield own.store
