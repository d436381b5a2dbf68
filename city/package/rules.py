"""A city package's routing rules: the package's ``rules/*.dmn`` take the place of the default rules of the same
name, and the case lifecycle is deployed with them as its new version — in the package load's own unit of work, so
a package whose rules do not validate loads nothing."""

from __future__ import annotations

from pathlib import Path

from engine.bpmn.form_files import split_files
from engine.bpmn.specs import parse_bundles
from engine.domain.errors import InvalidCommand
from engine.persistence.repositories.versions import insert_version, latest_version, version_sources
from engine.persistence.uow import UnitOfWork
from engine.service.deploy import read_sources, with_forms
from engine.service.deps import Deps
from engine.service.validate import WORKFLOWS_DIR, refuse_invalid, validate_sources

RULES_DIR = WORKFLOWS_DIR.parent / "rules"


def deploy_files(rules: dict[str, str], workflows: Path = WORKFLOWS_DIR, defaults: Path = RULES_DIR) -> dict[str, str]:
    """What to deploy for a package's rules (``rules/NAME.dmn`` → text): the lifecycle's BPMN and forms, the default
    rules, and the package's rules in place of the defaults of the same file name. Empty when there are no rules."""
    if not rules:
        return {}
    files = read_sources([workflows, defaults])
    named = {Path(name).name for name in rules}
    files = {name: text for name, text in files.items() if Path(name).name not in named}
    return files | {Path(name).name: text for name, text in rules.items()}


def deploy_in(uow: UnitOfWork, deps: Deps, files: dict[str, str], actor: str, comment: str) -> list[str]:
    """Validate and store each process of ``files`` whose content is new, in ``uow``; "process vN" for each."""
    refuse_invalid(validate_sources(deps, files, WORKFLOWS_DIR))
    models, forms = split_files(files)
    bundles = [with_forms(bundle, forms, WORKFLOWS_DIR) for bundle in parse_bundles(models)]
    if not bundles:
        raise InvalidCommand("rules: no executable process to deploy them with", field="rules")
    deployed = []
    for bundle in bundles:
        existing = latest_version(uow.store, bundle.process_id)
        if existing is not None and existing.sha256 == bundle.sha256:
            continue
        row = insert_version(uow.store, process_id=bundle.process_id, sha256=bundle.sha256, sources=bundle.sources,
                             spec_json=bundle.spec_json, message_starts=bundle.message_starts, actor=actor,
                             comment=comment, now=deps.clock.now())
        deployed.append(f"{row.process_id} v{row.number}")
    return deployed


def refuse_stale_rules(uow: UnitOfWork, removed: dict[str, set[str]]) -> None:
    """For a package without rules (the deployed rules stay): InvalidCommand naming the deployed rules file and the
    department or subtype it names that the package removes (``removed``: kind → codes) — those rules would route
    cases to nobody."""
    lifecycle = latest_version(uow.store, "case_lifecycle")
    found = version_sources(uow.store, lifecycle.id) if lifecycle is not None else None
    if lifecycle is None or found is None:
        return
    dmn = {name: text for name, text in sorted(found[4].items()) if name.endswith(".dmn")}
    for kind, codes in removed.items():
        for code in sorted(codes):
            named = [name for name, text in dmn.items() if f'"{code}"' in text]
            if named:
                raise InvalidCommand(f"rules: the deployed {named[0]} (case_lifecycle v{lifecycle.number}) names "
                                     f"{kind} {code!r}, which the package removes: give the package a rules/ folder "
                                     "with the city's own rules (docs/city.md)", field="rules")
