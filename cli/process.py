"""``gridcase process layout`` (diagrams of hand-written process files) and ``gridcase process migrate``
(running cases to another process version)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from engine.persistence.db import create_db_engine
from web.settings import Settings


@click.command("layout")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 listing files whose diagram is missing or stale.")
def process_layout(files: tuple[Path, ...], check: bool) -> None:
    """Lay out the diagram of each BPMN file (folders: their *.bpmn and *.bpmn20.xml) in place, for bpmn-js.

    Only the bpmndi:BPMNDiagram elements are replaced; the process XML is left byte for byte as it was.
    """
    from designer.layout import layout_bpmn
    from engine.bpmn.foreign import bpmn_files_in

    paths = [file for path in files for file in (bpmn_files_in(path) if path.is_dir() else [path])]
    stale = []
    for path in paths:
        text = path.read_bytes()
        try:
            laid_out = layout_bpmn(text)
        except (ValueError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
            raise click.ClickException(f"{path}: {exc}") from None
        if laid_out != text:
            stale.append(path)
            if not check:
                path.write_bytes(laid_out)
    for path in stale:
        click.echo(f"{path}: diagram {'missing or out of date' if check else 'laid out'}")
    if check and stale:
        sys.exit(1)


@click.command("migrate")
@click.argument("process_id")
@click.option("--to", "to_version", required=True, type=click.IntRange(1), help="The version number to move to.")
@click.option("--dry-run", is_flag=True, help="Change nothing; list what would migrate and what would be refused.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: one object per case and a summary.")
@click.option("--actor", default="cli", show_default=True, help="Who migrates (recorded in the audit log).")
@click.pass_obj
def process_migrate(settings: Any, process_id: str, to_version: int, dry_run: bool, as_json: bool,
                    actor: str) -> None:
    """Move the running cases of PROCESS_ID to version --to where it is safe; list the refused ones and why.

    Safe: no completed or started task of the case was changed or removed in that version, and no
    ready or waiting task was removed. Each case moves in its own transaction with a case_migrated
    audit event. Exit 1 only when the process or version does not exist.
    """
    from city.bootstrap import bootstrap
    from engine.domain.errors import NotFound
    from engine.service.migration import migrate_cases

    bus = bootstrap(settings.database_url, working_time=settings.working_time(), script_limits=settings.script_limits())
    try:
        plans = migrate_cases(bus, process_id, to_version, actor, dry_run=dry_run)
    except NotFound as exc:
        raise click.ClickException(exc.message) from None
    counts = Counter(plan.outcome for plan in plans)
    if as_json:
        cases = [{"case_id": p.case_id, "case_no": p.case_no, "from_version": p.from_version,
                  "to_version": p.to_version, "outcome": p.outcome, "reasons": list(p.reasons),
                  "form_changes": list(p.form_changes)} for p in plans]
        click.echo(json.dumps({"process_id": process_id, "to_version": to_version, "dry_run": dry_run,
                               "cases": cases, "summary": dict(counts)}, ensure_ascii=False, indent=2))
        return
    for plan in plans:
        line = f"{plan.case_no or f'case {plan.case_id}'}\tv{plan.from_version} -> v{plan.to_version}\t{plan.outcome}"
        click.echo(f"{line}: {'; '.join(plan.reasons)}" if plan.reasons else line)
        for change in plan.form_changes:
            click.echo(f"\t{change}")
    summary = ", ".join(f"{counts[k]} {k}" for k in ("migrated", "would migrate", "refused") if counts[k])
    click.echo(f"{process_id} -> version {to_version}{' (dry run)' if dry_run else ''}: "
               f"{len(plans)} running case(s) on other versions" + (f"; {summary}" if summary else ""))


@click.group()
def process() -> None:
    """Deployed process versions."""


@process.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--comment", default="", help="Why this version exists.")
@click.option("--actor", default="cli", help="Who deploys.")
@click.option("--if-empty", is_flag=True,
              help="Deploy only the processes with no version yet (make run: a loaded city's rules stay).")
@click.pass_obj
def process_deploy(settings: Settings, files: tuple[Path, ...], comment: str, actor: str, if_empty: bool) -> None:
    """Parse BPMN/DMN FILES (or folders) and store new versions; nothing is stored if any is invalid.

    The forms the tasks name are deployed with them: from the forms/ folder beside each BPMN file, else from
    workflows/forms; a form found in neither stops the deploy, naming the task and the form.
    """
    from city.bootstrap import bootstrap
    from engine.bpmn.foreign import is_bpmn_file
    from engine.domain.commands import DeployProcesses
    from engine.service.deploy import missing_forms, read_deploy_files

    sources = read_deploy_files(files)  # an InvalidCommand is printed by cli.main, exit 1
    missing = missing_forms(sources)
    if missing:
        raise click.ClickException("; ".join(missing) + ": put each form in a forms/ folder beside its model")
    if if_empty:
        sources = _undeployed(settings.database_url, sources)
        if not any(is_bpmn_file(name) for name in sources):
            click.echo("every process already deployed: nothing deployed (--if-empty)")
            return
    bus = bootstrap(settings.database_url, working_time=settings.working_time())
    for result in bus.handle(DeployProcesses(sources, actor, comment)):
        state = "deployed" if result.created else "unchanged"
        click.echo(f"{result.process_id}: version {result.number} ({state}, sha256 {result.sha256[:12]})")


def _undeployed(url: str, sources: dict[str, str]) -> dict[str, str]:
    """The files of the processes with no version yet: an older database gets the processes added since (such as
    citizen_callback), a deployed one stays (a city package load deploys the lifecycle with its own rules)."""
    from engine.persistence.uow import UnitOfWork
    from engine.service.deploy import undeployed_files

    with UnitOfWork(create_db_engine(url)) as uow:
        return undeployed_files(uow.store, sources)


@process.command("versions")
@click.argument("process_id")
@click.pass_obj
def process_versions(settings: Settings, process_id: str) -> None:
    """List the versions of PROCESS_ID."""
    from engine.persistence.repositories.versions import list_versions
    from engine.persistence.uow import UnitOfWork

    with UnitOfWork(create_db_engine(settings.database_url)) as uow:
        rows = list_versions(uow.store, process_id)
    if not rows:
        raise click.ClickException(f"no deployed process {process_id!r}")
    for row in rows:
        when = f"{row.deployed_at:%Y-%m-%d %H:%M}"
        click.echo(f"{row.number}\t{when}\t{row.deployed_by}\t{row.sha256[:12]}\t{row.comment}")


process.add_command(process_layout)
process.add_command(process_migrate)
