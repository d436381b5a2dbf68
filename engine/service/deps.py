"""What handlers need, wired once by bootstrap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from engine.bpmn.budget import ScriptLimits
from engine.bpmn.specs import LoadedSpec, restore_spec
from engine.domain.clock import Clock
from engine.domain.errors import NotFound
from engine.domain.forms import FormSchema
from engine.domain.working_time import WorkingTime
from engine.persistence import group_commit
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.versions import version_spec_json
from engine.persistence.uow import UnitOfWork
from engine.service.cache import WorkflowCache
from engine.service.step_hooks import StepHook


@dataclass
class Deps:
    """The engine's wiring: database, clock, caches and limits."""

    db: Engine
    clock: Clock
    workflows: WorkflowCache = field(default_factory=WorkflowCache)
    depth_limit: int = 950
    verify_state: bool = False  # tests: after each step, compare stored state with the live workflow
    script_helpers: dict[str, Any] = field(default_factory=dict)  # beyond the defaults, e.g. working time
    script_limits: ScriptLimits = field(default_factory=ScriptLimits)  # every script's CPU-time and memory budget
    working_time: WorkingTime | None = None  # the city's calendar and duty windows, when configured
    on_city_loaded: list[Any] = field(default_factory=list)  # callbacks after a city (re)load, e.g. locator.reset
    step_hooks: list[StepHook] = field(default_factory=list)  # run in a step's transaction when its data changed
    # Messages and signals only the package's own commands and models exchange (a campaign's early end, an
    # emergency's declaration and end): SendMessage and ThrowSignal refuse them unless a case threw them, so no
    # account can send what a model trusts to come from its own side (engine.service.event_handlers.refuse_internal).
    internal_messages: set[str] = field(default_factory=set)
    # A task's form: (store, the task's process version id, its ``form`` property) → the form, None when there is
    # none; bootstrap reads the forms stored with the version, else the workflows folder (task_forms.VersionForms).
    forms: Callable[[CaseStore, int | None, str], FormSchema | None] = field(default=lambda store, version, ref: None)
    _specs: dict[int, LoadedSpec] = field(default_factory=dict)
    _spec_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        group = group_commit.for_engine(self.db)
        if group is not None:  # SQLite group commit: a batch that failed takes back what its members read of others
            group.watch(self)

    def batch_rolled_back(self) -> None:
        """A group commit's batch did not commit: forget the runners, specs and forms read inside it, which may hold
        what another command of the batch wrote (a version number or id that will be given again)."""
        self.workflows.clear()
        with self._spec_lock:
            self._specs.clear()
        forget_forms = getattr(self.forms, "clear", None)  # task_forms.VersionForms keeps each version's forms
        if callable(forget_forms):
            forget_forms()

    def uow(self, *, read_only: bool = False, lock_wait: float | None = None) -> UnitOfWork:
        """A unit of work: it writes (and commits on a clean exit) only inside a command's handler and without
        ``read_only``; otherwise it only reads and takes no write lock. ``lock_wait``: seconds it waits for a
        lock before ``ConcurrencyConflict`` (None: the database's own wait)."""
        return UnitOfWork(self.db, read_only=read_only, lock_wait=lock_wait)

    def spec(self, uow: UnitOfWork, version_id: int) -> LoadedSpec:
        """The restored spec of a process version (restored once, then shared)."""
        loaded = self._specs.get(version_id)
        if loaded is None:
            found = version_spec_json(uow.store, version_id)
            if found is None:
                raise NotFound(f"process version {version_id} not found")
            loaded = restore_spec(version_id, *found)
            with self._spec_lock:
                self._specs.setdefault(version_id, loaded)
        return loaded
