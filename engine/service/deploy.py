"""Deploy BPMN/DMN files as new immutable process versions (idempotent by content hash)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from lxml import etree

from engine.bpmn.foreign import bpmn_files_in, is_bpmn_file, is_model_file
from engine.bpmn.form_files import collect_forms, folder_form_text, is_form_file, split_files, version_digest
from engine.bpmn.specs import ProcessBundle, parse_bundles
from engine.bpmn.starters import start_settings
from engine.bpmn.task_forms import task_forms
from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand
from engine.persistence.db import is_unique_violation
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.versions import insert_version, latest_version
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.validate import WORKFLOWS_DIR, refuse_invalid, validate_sources


@dataclass(frozen=True)
class Deployed:
    """The result for one process: its version, and whether this deploy created it."""

    process_id: str
    version_id: int
    number: int
    sha256: str
    created: bool


def read_sources(paths: Iterable[Path]) -> dict[str, str]:
    """File name → text for .bpmn (or Flowable's .bpmn20.xml) and .dmn files; folders are searched for all."""
    files: dict[str, str] = {}
    for path in paths:
        found = [*bpmn_files_in(path), *sorted(path.glob("*.dmn"))] if path.is_dir() else [path]
        for file in found:
            if not is_model_file(file.name):
                raise InvalidCommand(f"{file}: only .bpmn (or .bpmn20.xml) and .dmn files can be deployed",
                                     field="files")
            if file.name in files:
                raise InvalidCommand(f"two files named {file.name}", field="files")
            files[file.name] = file.read_text(encoding="utf-8")
    return files


def read_deploy_files(paths: Iterable[Path]) -> dict[str, str]:
    """``read_sources`` plus the forms each BPMN file's tasks name that lie beside it, in the ``forms/`` folder next
    to the file (as ``workflows/`` is laid out), as ``forms/<name>.json`` entries: what ``gridcase process deploy``
    sends, so a model deployed from another folder keeps its forms."""
    files: dict[str, str] = {}
    beside: dict[str, tuple[Path, str]] = {}  # form reference → (where it was found, its text)
    for path in paths:
        for name, text in read_sources([path]).items():
            if name in files:
                raise InvalidCommand(f"two files named {name}", field="files")
            files[name] = text
            if is_bpmn_file(name):
                _forms_beside(path if path.is_dir() else path.parent, text, beside)
    return {**files, **{reference: text for reference, (_, text) in sorted(beside.items())}}


def _forms_beside(folder: Path, text: str, beside: dict[str, tuple[Path, str]]) -> None:
    """Add the forms the BPMN ``text``'s tasks name that exist relative to ``folder``; two different texts of one
    form name (models from two folders) are refused rather than one silently winning."""
    for _, reference in task_forms(text):
        found = folder_form_text(folder, reference) if is_form_file(reference) else None
        if found is None:
            continue
        where = folder / reference
        if reference in beside and beside[reference][1] != found:
            raise InvalidCommand(f"{reference} differs between {beside[reference][0]} and {where}: deploy models "
                                 "whose forms share a name from one folder", field="files")
        beside[reference] = (where, found)


def missing_forms(files: Mapping[str, str], forms_dir: Path | None = WORKFLOWS_DIR) -> list[str]:
    """Every task of the BPMN ``files`` whose form is neither among the files nor under ``forms_dir``: one line
    each, naming the task and the form (what ``gridcase process deploy`` refuses)."""
    missing = []
    for name, text in sorted(files.items()):
        if not is_bpmn_file(name):
            continue
        for task, reference in task_forms(text):
            if reference not in files and folder_form_text(forms_dir, reference) is None:
                where = f"beside {name} nor under {forms_dir}" if forms_dir else f"beside {name}"
                missing.append(f"{name}: task {task} names the form {reference!r}, found neither {where}")
    return missing


def undeployed_files(store: CaseStore, files: Mapping[str, str]) -> dict[str, str]:
    """``files`` without the BPMN files whose every executable process already has a version (``--if-empty``):
    a database made before a process was added gets that process, while a deployed one (a loaded city's rules)
    stays as it is. Decision tables and forms are kept for the processes still sent."""
    kept = {}
    for name, text in files.items():
        ids = _process_ids(text) if is_bpmn_file(name) else []
        if ids and all(latest_version(store, pid) is not None for pid in ids):
            continue
        kept[name] = text
    return kept


def _process_ids(text: str) -> list[str]:
    """The ids of a BPMN file's executable processes (none for an unreadable file: it is sent, and the deploy's
    check names its fault)."""
    try:
        root = etree.fromstring(text.encode(), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    return [node.get("id", "") for node in root.iter("{*}process") if node.get("isExecutable") != "false"]


def deploy_processes(cmd: c.DeployProcesses, ctx: HandlerContext) -> list[Deployed]:
    """Validate and parse everything first, then store new versions.

    A model with a validation error is refused with ProcessInvalid (``problems``: every problem as a dict)
    and nothing is stored; warnings do not block. Every form the process's tasks name is stored with the version
    (in its sources, part of its sha256): the ``forms/<name>.json`` file sent with the deploy, else the file under
    ``forms_dir``, where ``form`` properties are looked up.
    """
    forms_dir = WORKFLOWS_DIR if cmd.forms_dir is None else Path(cmd.forms_dir)
    try:
        refuse_invalid(validate_sources(ctx.deps, cmd.files, forms_dir))
        return _deploy(ctx.deps, cmd.files, forms_dir, cmd.actor, cmd.comment)
    except GridcaseError:
        raise
    except Exception as exc:
        if is_unique_violation(exc):  # two deploys numbered the same version at once
            raise ConcurrencyConflict("another deploy of the same process ran at the same time; retry") from exc
        raise


def with_forms(bundle: ProcessBundle, sent: dict[str, str], forms_dir: Path | None) -> ProcessBundle:
    """The bundle with the forms its tasks and start event name added to its sources and its sha256 (unchanged
    without forms), which also covers the starter groups the process names."""
    forms = collect_forms(bundle.sources, sent, forms_dir)
    starters = start_settings(bundle.sources, bundle.process_id).starter_groups
    return replace(bundle, sources={**bundle.sources, **forms},
                   sha256=version_digest(bundle.spec_json, forms, starters))


def prepare_bundles(deps: Deps | None, files: dict[str, str], forms_dir: Path | None) -> list[ProcessBundle]:
    """Validate ``files`` (ProcessInvalid on any error) and parse them into bundles with their forms; stores
    nothing, so a caller may store them in its own unit of work (``store_bundles``)."""
    refuse_invalid(validate_sources(deps, files, forms_dir))
    models, forms = split_files(files)
    bundles = [with_forms(bundle, forms, forms_dir) for bundle in parse_bundles(models)]
    if not bundles:
        raise InvalidCommand("no executable process found in the given files", field="files")
    return bundles


def store_bundles(uow: UnitOfWork, bundles: list[ProcessBundle], actor: str, comment: str,
                  now: datetime) -> list[Deployed]:
    """Store each bundle as its process's next version inside the caller's unit of work (a bundle equal to the
    newest version is not stored again)."""
    results = []
    for bundle in bundles:
        existing = latest_version(uow.store, bundle.process_id)
        if existing is not None and existing.sha256 == bundle.sha256:  # redeploying an older one is new
            results.append(Deployed(bundle.process_id, existing.id, existing.number, existing.sha256, False))
            continue
        row = insert_version(uow.store, process_id=bundle.process_id, sha256=bundle.sha256,
                             sources=bundle.sources, spec_json=bundle.spec_json,
                             message_starts=bundle.message_starts, actor=actor, comment=comment, now=now)
        results.append(Deployed(row.process_id, row.id, row.number, row.sha256, True))
    return results


def _deploy(deps: Deps, files: dict[str, str], forms_dir: Path | None, actor: str,
            comment: str) -> list[Deployed]:
    models, forms = split_files(files)
    bundles = [with_forms(bundle, forms, forms_dir) for bundle in parse_bundles(models)]
    if not bundles:
        raise InvalidCommand("no executable process found in the given files", field="files")
    with deps.uow() as uow:
        return store_bundles(uow, bundles, actor, comment, deps.clock.now())
