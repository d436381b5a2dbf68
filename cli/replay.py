"""``gridcase replay``: verify a case's audit history (hash chain, checkpoints, re-run, evidence files), export it
for an outside auditor, and write an audit checkpoint; ``gridcase bench replay``.

Exit codes of ``replay verify``: 0 verified, 1 not verified (the first divergence is printed), 2 nothing to
verify (an unknown or malformed case number, a file that is not a case export) — click's code for usage errors.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.audit.replay import VerifyResult
    from engine.service.bus import MessageBus
    from engine.service.deps import Deps

CASE_NO_HELP = "a case number is the start date and the case id, e.g. 20261102000123"


def _bus(settings: Settings) -> MessageBus:
    """The engine over the configured database, with the city's calendar (imported here: slow for --help)."""
    from city.bootstrap import bootstrap

    return bootstrap(settings.database_url, working_time=settings.working_time(),
                     script_limits=settings.script_limits())


def _deps(settings: Settings) -> Deps:
    found: Deps = _bus(settings).deps
    return found


def _case_id(deps: Deps, number: str) -> int:
    """The id of the case numbered ``number``; a usage error (exit 2) when there is none."""
    from engine.domain.summary import case_id_from_no, case_no
    from engine.persistence.repositories import audit as audit_store

    case_id = case_id_from_no(number) if len(number) <= 30 else None
    if case_id is None:
        raise click.BadParameter(f"{number!r} is not a case number ({CASE_NO_HELP})", param_hint="CASE_NO")
    with deps.uow(read_only=True) as uow:
        head = audit_store.case_head(uow.store, case_id)
    if head is None or case_no(case_id, head[2]) != number:
        raise click.BadParameter(f"no case {number}", param_hint="CASE_NO")
    return case_id


def _divergence(result: VerifyResult) -> dict[str, Any] | None:
    return None if result.divergence is None else asdict(result.divergence)


def _result_dict(result: VerifyResult) -> dict[str, Any]:
    return {"case_no": result.case_no, "case_id": result.case_id, "verified": result.verified,
            "events": result.events, "ms": round(result.seconds * 1000, 1), "divergence": _divergence(result)}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def _report(result: VerifyResult, as_json: bool) -> None:
    """Print one case's verdict; exit 1 when it is not verified."""
    if as_json:
        click.echo(_dumps(_result_dict(result)))
    elif result.verified:
        click.echo(f"verified: {result.case_no} ({result.events} events, {result.seconds * 1000:.0f} ms)")
    else:
        click.echo(f"NOT VERIFIED: {result.case_no}")
        click.echo(f"  {result.divergence.describe() if result.divergence else 'no divergence given'}")
    if not result.verified:
        sys.exit(1)


@click.group()
def replay() -> None:
    """Audit replay: show that a case's recorded history is intact and is what its process does."""


@replay.command("verify")
@click.argument("number", metavar="[CASE_NO]", required=False)
@click.option("--all", "every", is_flag=True, help="Verify every case, then the audit checkpoints.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="With --all: only cases started on or after this day (city time).")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Verify a file written by `gridcase replay export`, without any database.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result.")
@click.pass_obj
def replay_verify(settings: Settings, number: str | None, every: bool, since: datetime | None, path: Path | None,
                  as_json: bool) -> None:
    """Check CASE_NO's hash chain and checkpoints, then re-run it from its recorded inputs on its pinned
    process version and compare every event, then check that every evidence file its ``attachment_added`` events
    record is in the attachment store (GRIDCASE_ATTACHMENTS_DIR) with the recorded sha256. Exit 0 verified,
    1 not verified, 2 nothing to verify."""
    chosen = [name for name, given in (("CASE_NO", number), ("--all", every), ("--file", path)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of CASE_NO, --all or --file"
                               + (f" (got {', '.join(chosen)})" if chosen else ""))
    if since is not None and not every:
        raise click.UsageError("--since goes with --all")
    if path is not None:
        _verify_file(path, as_json)
    elif every:
        _verify_all(_deps(settings), since, as_json, settings.attachments_dir)
    else:
        from engine.service.audit.replay import verify_case

        deps = _deps(settings)
        _report(verify_case(deps, _case_id(deps, str(number)), evidence=settings.attachments_dir), as_json)


def _verify_file(path: Path, as_json: bool) -> None:
    """Verify an export: reads only the file (the database settings are never used)."""
    from engine.domain.errors import InvalidCommand
    from engine.service.audit.export import verify_document

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                                 param_hint="--file") from None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"{path}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                                 param_hint="--file") from None
    try:
        result = verify_document(document)
    except InvalidCommand as exc:
        raise click.BadParameter(f"{path}: {exc.message} (field {exc.field})", param_hint="--file") from None
    _report(result, as_json)


def _verify_each(deps: Deps, case_ids: list[int], evidence: Path) -> list[VerifyResult]:
    """Every case's verdict (its evidence files checked in ``evidence``), with a progress bar; a case whose
    verification fails with an error is not verified."""
    from sqlalchemy.exc import SQLAlchemyError

    from engine.domain.audit.chain import Divergence
    from engine.service.audit.replay import VerifyResult, verify_case

    results = []
    with click.progressbar(case_ids, label=f"verifying {len(case_ids)} cases", file=sys.stderr) as bar:
        for case_id in bar:
            try:
                results.append(verify_case(deps, case_id, evidence=evidence))
            except SQLAlchemyError:
                raise  # the database failed, not the case
            except Exception as exc:  # reported as this case's verdict: the batch goes on
                failure = Divergence(None, None, "verification", "a verdict", f"{type(exc).__name__}: {exc}",
                                     "verification failed with an error")
                results.append(VerifyResult(case_id, f"case {case_id}", 0, False, failure, 0.0))
    return results


def _verify_all(deps: Deps, since: datetime | None, as_json: bool, evidence: Path) -> None:
    """Verify every case (started since ``since``), then the checkpoints; a summary; exit 1 on any failure."""
    from engine.domain.city_zone import city_zone
    from engine.persistence.repositories import audit as audit_store
    from engine.service.audit.checkpoints import verify_checkpoints

    start = datetime.combine(since.date(), time(0), city_zone()) if since is not None else None
    with deps.uow(read_only=True) as uow:
        case_ids = audit_store.case_ids(uow.store, start)
        newest = audit_store.last_checkpoint(uow.store)
    results = _verify_each(deps, case_ids, evidence)
    problems = verify_checkpoints(deps)
    failed = [r for r in results if not r.verified]
    summary = {"since": start.date().isoformat() if start else None, "cases": len(results),
               "verified": len(results) - len(failed), "not_verified": len(failed),
               "events": sum(r.events for r in results), "seconds": round(sum(r.seconds for r in results), 3),
               "failures": [{"case_no": r.case_no, "case_id": r.case_id, "divergence": _divergence(r)} for r in failed],
               "checkpoints": {"newest": newest[0] if newest else None, "hash": newest[1] if newest else None,
                               "problems": [asdict(p) for p in problems]},
               "ok": not failed and not problems}
    if as_json:
        click.echo(_dumps(summary))
    else:
        _print_summary(summary, failed, problems)
    if not summary["ok"]:
        sys.exit(1)


def _print_summary(summary: dict[str, Any], failed: list[VerifyResult], problems: list[Any]) -> None:
    since = f" started since {summary['since']}" if summary["since"] else ""
    click.echo(f"verified {summary['verified']} of {summary['cases']} cases{since} ({summary['events']} events,"
               f" {summary['seconds']:.1f} s); not verified: {summary['not_verified']}")
    for result in failed:
        click.echo(f"NOT VERIFIED: {result.case_no}: {result.divergence.describe() if result.divergence else ''}")
    newest = summary["checkpoints"]["newest"]
    if newest is None:
        click.echo("checkpoints: none written yet (gridcase replay checkpoint, or the scheduler, writes them)")
    elif not problems:
        click.echo(f"checkpoints: intact up to checkpoint {newest} (sha256 {summary['checkpoints']['hash']})")
    for problem in problems:
        click.echo(f"CHECKPOINT PROBLEM: {problem.describe()}")


@replay.command("export")
@click.argument("number", metavar="CASE_NO")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: CASE_NO.audit.json in the current folder).")
@click.pass_obj
def replay_export(settings: Settings, number: str, output: Path | None) -> None:
    """Write CASE_NO as one self-contained file (events, hashes, the BPMN/DMN sources of its versions, the
    city's answers) that `gridcase replay verify --file` checks without the database."""
    from engine.service.audit.export import export_case

    deps = _deps(settings)
    document = export_case(deps, _case_id(deps, number), deps.clock.now())
    target = output or Path(f"{number}.audit.json")
    target.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    verdict = ("verified at export" if document["case"]["verified_at_export"]
               else f"NOT VERIFIED at export: `gridcase replay verify {number}` shows the divergence")
    click.echo(f"wrote {target} ({len(document['events'])} events); {verdict}")


@replay.command("checkpoint")
@click.pass_obj
def replay_checkpoint(settings: Settings) -> None:
    """Anchor the chain head of every case that changed since the last checkpoint (the scheduler does this
    every GRIDCASE_AUDIT_CHECKPOINT_SECONDS); prints the checkpoint's hash, to keep outside the database."""
    from engine.domain.commands import WriteAuditCheckpoint
    from engine.persistence.repositories import audit as audit_store

    bus = _bus(settings)
    written = bus.handle(WriteAuditCheckpoint(actor="cli"))
    if written.checkpoint_id is not None:
        click.echo(f"checkpoint {written.checkpoint_id}: {written.cases} case heads, sha256 {written.hash}")
        return
    with bus.deps.uow(read_only=True) as uow:
        last = audit_store.last_checkpoint(uow.store)
    if last is None:
        click.echo("no cases yet: nothing to anchor")
    else:
        click.echo(f"no case changed since checkpoint {last[0]} (sha256 {last[1]})")


@click.command("replay")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 60), help="Simulated days of cases.")
@click.option("--per-day", default=40.0, show_default=True, type=click.FloatRange(1, 500), help="Mean reports a day.")
@click.option("--database-url", "bench_url", default=None,
              help="Database to fill (default: a temporary SQLite file; PostgreSQL: a schema of its own).")
def bench_replay(as_json: bool, days: int, per_day: float, bench_url: str | None) -> None:
    """Verify every case of a simulated city: cases per second, ms per case (target: a 15-event case < 50 ms)."""
    from bench.replay import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, days, per_day), indent=2, ensure_ascii=False))
