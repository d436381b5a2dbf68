"""Starting a deployed process by hand: who may start which process, and with which start form.

One place decides it for every entry point — the ``StartCase`` handler calls ``check_hand_start`` inside the
command's transaction (the API's ``POST /processes/{id}/cases``, the start page and ``gridcase case start`` all
send that command), and the start page, the navigation and ``GET /processes/startable`` list what
``startable`` returns, with the same rule:

- a process naming starter groups (``engine.bpmn.starters``) may be started by an account whose role, or one of
  whose task groups (a department's code, ``collector:<district>``, a centre role), is among them;
- admins and process designers may start every process (designers try what they deploy), and they alone may start
  a process that names no starter groups — the case lifecycle names none: reports reach it through
  ``ReportProblem`` and camera messages, which are not starts by hand and are unchanged;
- a process whose only start events are timers is started by the scheduler alone (422 naming ``process_id``);
- a process that declares an empty starter list (``candidateStarterGroups`` with value ``""``) is started only by
  its own command (an enforcement case by the transfer, 转执法): no account starts it by hand, admins included —
  its start data is what that command checked, and a start by hand would skip those checks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from engine.bpmn.starters import StartSettings, start_settings
from engine.domain.errors import InvalidCommand, NotAllowed, NotFound
from engine.domain.forms import FormSchema
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.versions import VersionRow, get_version, newest_versions, version_sources
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.deps import Deps
from engine.service.task_forms import known_form

ALWAYS_STARTS = frozenset({"admin", "process_designer"})  # roles that may start any process
_CACHE_SIZE = 512
_settings: dict[tuple[str, int, str], StartSettings] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class StartOption:
    """A process someone may start: its newest version's number and settings, and its start form (None: none)."""

    version_id: int
    number: int
    settings: StartSettings
    form: FormSchema | None

    @property
    def process_id(self) -> str:
        return self.settings.process_id


def may_start(who: Principal, groups: tuple[str, ...] | None) -> bool:
    """Whether ``who`` may start a process naming starter ``groups`` (None: it names none; empty: its command alone
    starts it, nobody by hand)."""
    if groups is not None and not groups:
        return False
    if who.role in ALWAYS_STARTS:
        return True
    if not groups:
        return False
    return who.role in groups or not who.groups.isdisjoint(groups)


def settings_of(store: CaseStore, version_id: int, process_id: str, number: int, sha256: str) -> StartSettings:
    """A version's start settings, read from its BPMN once (versions are immutable; the key holds the hash, so a
    cache shared by several databases cannot mix them up)."""
    key = (process_id, number, sha256)
    found = _settings.get(key)
    if found is None:
        row = version_sources(store, version_id)
        found = start_settings({} if row is None else row[4], process_id)
        with _lock:
            if len(_settings) >= _CACHE_SIZE:
                _settings.clear()
            _settings[key] = found
    return found


def startable(deps: Deps, who: Principal, *, with_forms: bool = True) -> list[StartOption]:
    """The processes ``who`` may start (their newest versions, by process id), with their start forms unless
    ``with_forms`` is False."""
    options = []
    with deps.uow(read_only=True) as uow:
        for version_id, process_id, number, sha256 in newest_versions(uow.store):
            settings = settings_of(uow.store, version_id, process_id, number, sha256)
            if may_start(who, settings.starter_groups) and not settings.timers_only:
                form = known_form(deps.forms, uow.store, version_id, settings.form) if with_forms else None
                options.append(StartOption(version_id, number, settings, form))
    return options


def may_start_any(deps: Deps, who: Principal) -> bool:
    """Whether ``who`` may start at least one deployed process (the navigation's link)."""
    return bool(startable(deps, who, with_forms=False))


def check_hand_start(deps: Deps, uow: UnitOfWork, actor: str, version: VersionRow, *, check_starter: bool,
                     check_form: bool) -> FormSchema | None:
    """Inside ``StartCase``'s transaction: NotFound when the actor has no account, NotAllowed when it may not start
    the process; the start form the data must satisfy when ``check_form`` (None: the process has none)."""
    store = uow.store
    settings = settings_of(store, version.id, version.process_id, version.number, version.sha256)
    if settings.timers_only:  # the runner refuses it too (a bulk start checks no starter)
        raise InvalidCommand(f"{version.process_id} is started by its timers, not by hand", field="process_id")
    if check_starter:
        row = uow.accounts.user(actor)
        if row is None:
            raise NotFound(f"no user {actor!r}", field="actor")
        if not may_start(Principal(*row), settings.starter_groups):
            groups = settings.starter_groups
            named = ("none: it is started by its own command" if groups == () else
                     ", ".join(groups or ()) or "admins and process designers only")
            raise NotAllowed(f"{actor} may not start {version.process_id} (its starters: {named})",
                             field="process_id")
    return known_form(deps.forms, store, version.id, settings.form) if check_form else None


def version_settings(deps: Deps, version_id: int) -> StartSettings | None:
    """The start settings (name, description …) of a process version by id (a case page's process), or None."""
    with deps.uow(read_only=True) as uow:
        row = get_version(uow.store, version_id)
        return None if row is None else settings_of(uow.store, row.id, row.process_id, row.number, row.sha256)


def process_names(deps: Deps) -> dict[str, str]:
    """Every deployed process's name as its newest version gives it (the id when the model names none), by process
    id: what task lists and the audit finder show and offer as a filter."""
    with deps.uow(read_only=True) as uow:
        return {process_id: settings_of(uow.store, version_id, process_id, number, sha256).name or process_id
                for version_id, process_id, number, sha256 in newest_versions(uow.store)}
