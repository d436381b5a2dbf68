"""``gridcase import cases``, ``gridcase demo history`` and ``gridcase bench queries``: the city's case history."""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from cli.demo import demo
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RESPONSIBILITY = ROOT / "rules" / "responsibility.dmn"


@click.group("import")
def import_group() -> None:
    """Import data from earlier systems."""


@import_group.command("cases")
@click.argument("path", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(1, 50_000),
              help="Rows per transaction.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--mapping", "mapping_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="FILE.json mapping a city's own export to gridcase's columns and values (docs/history.md).")
@click.option("--open-batch", default=100, show_default=True, type=click.IntRange(1, 5000),
              help="Open cases per transaction (a row the lifecycle refuses writes nothing of its batch).")
@click.pass_obj
def import_cases(settings: Settings, path: Path, batch: int, as_json: bool, mapping_path: Path | None,
                 open_batch: int) -> None:
    """Import ended cases from FILE.csv (docs/history.md) as read-only history, and open cases (a step in
    ``result``) into the live lifecycle, waiting at their step.

    With --mapping the file is a city's own export, read through the mapping file. Idempotent: a case
    number already imported is counted as present. Bad rows are reported with their
    line numbers and skipped; exit 1 when the file cannot be read.
    """
    from city.bootstrap import bootstrap
    from city.history.importer import HistoryFileError, import_file
    from city.history.mapping import load_mapping

    try:
        mapping = load_mapping(mapping_path) if mapping_path is not None else None
    except HistoryFileError as exc:
        raise click.ClickException(f"{mapping_path}: {exc}") from None
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None
    bus = bootstrap(settings.database_url, working_time=settings.working_time())
    started = time.perf_counter()
    try:
        with click.progressbar(length=size, label=f"importing {path.name}", file=sys.stderr) as bar:
            seen = [0]

            def progress(done: int) -> None:
                bar.update(done - seen[0])
                seen[0] = done

            summary = import_file(bus, path, batch, progress, mapping, open_batch)
    except (OSError, HistoryFileError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    finally:
        bus.deps.db.dispose()
    seconds = time.perf_counter() - started
    result = {**summary.to_dict(), "seconds": round(seconds, 1),
              "rows_per_second": round(summary.rows / seconds) if seconds else None}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        _print_summary(summary, result["rows_per_second"])


def _print_summary(summary: Any, rows_per_second: int | None) -> None:
    """The import's summary as text: counts, the open cases by step, the bad rows by line."""
    click.echo(f"{summary.rows} rows: {summary.imported} imported, {summary.present} already present, "
               f"{summary.bad} bad ({rows_per_second} rows/s)")
    if summary.open:  # the open cases among the imported, by the step they wait at
        steps = ", ".join(f"{step} {count}" for step, count in summary.open.items())
        click.echo(f"  open cases into the lifecycle: {sum(summary.open.values())} ({steps}; already overdue"
                   f" {summary.overdue}); closed history: {summary.imported}")
    for line, message in summary.errors:
        click.echo(f"  line {line}: {message}")
    if summary.bad > len(summary.errors):
        click.echo(f"  … and {summary.bad - len(summary.errors)} more bad rows")


def _responsibility() -> Callable[[str, str], tuple[str, float, str] | None]:
    """(subtype, district) → (department, limit amount, limit unit) from the responsibility rule."""
    import dmn

    model = dmn.loads(RESPONSIBILITY.read_bytes())

    def decide(subtype: str, district: str) -> tuple[str, float, str] | None:
        report = {"subtype": subtype, "district": district, "urgency": "normal"}
        found = model.evaluate("responsibility", {}, context={"report": report}).value
        if not isinstance(found, dict) or not found.get("disposal_unit"):
            return None
        return found["disposal_unit"], float(found["limit_amount"]), str(found["limit_unit"])

    return decide


def _month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter(f"{text!r} is not YYYY-MM", param_hint="--start") from None


@demo.command("history")
@click.option("--cases", default=100_000, show_default=True, type=click.IntRange(1), help="Cases to write.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="CSV file.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same seed, the same file.")
@click.option("--start", default="2022-01", show_default=True, help="First month (YYYY-MM).")
@click.option("--months", default=48, show_default=True, type=click.IntRange(1, 600), help="Months covered.")
@click.pass_obj
def demo_history(settings: Settings, cases: int, out: Path, seed: int, start: str, months: int) -> None:
    """Write CASES ended cases of the demo city (after `gridcase demo seed`) as a history CSV file."""
    from city.bootstrap import bootstrap
    from city.history.importer import COLUMNS
    from demo.history import Generator, Mix, load_city
    from demo.people import CHANNELS, Behaviour
    from demo.world import COMMON

    first = _month(start)
    rng = random.Random(seed)
    mix = Mix(channels=CHANNELS, subtype_weights=COMMON, rates=asdict(Behaviour()),
              districts={"350602": 0.5, "350603": 0.3, "350690": 0.2})
    bus = bootstrap(settings.database_url)
    try:
        city = load_city(bus.deps, mix, rng, _responsibility())
    finally:
        bus.deps.db.dispose()
    generator = Generator(city, mix, settings.working_time(), rng)
    try:
        handle = out.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise click.ClickException(f"{out}: {exc.strerror or exc}") from None
    with handle, click.progressbar(length=cases, label=f"writing {out.name}", file=sys.stderr) as bar:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number, row in enumerate(generator.rows(first, months, cases), start=1):
            writer.writerow(row)
            if number % 5000 == 0:
                bar.update(5000)
    click.echo(f"{cases} cases written to {out}")


@click.command("queries")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--cases", default=200_000, show_default=True, type=click.IntRange(100), help="History cases.")
@click.option("--database-url", "bench_url", default=None,
              help="Database (default: a SQLite file under var/bench/); PostgreSQL gets a schema of its own.")
@click.option("--reuse", is_flag=True, help="Keep the dataset afterwards and reuse one that holds CASES cases.")
@click.option("--repeat", default=30, show_default=True, type=click.IntRange(5), help="Repetitions per query.")
def bench_queries(as_json: bool, cases: int, bench_url: str | None, reuse: bool, repeat: int) -> None:
    """Task lists, case pages, heat maps and the monthly KPI report over CASES history cases: p50/p95."""
    from bench.queries import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, cases, reuse, repeat), indent=2, ensure_ascii=False))
