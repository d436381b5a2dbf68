"""The ``gridcase`` command line: the root group (settings, logging, exit codes) and every command group."""

from __future__ import annotations

import logging
import sys
import uuid

import click

from cli.bench import bench
from cli.calendar import calendar
from cli.case import case
from cli.city import city
from cli.db import db
from cli.demo import demo
from cli.history import import_group
from cli.kpi import kpi, report
from cli.process import process
from cli.replay import replay
from cli.rules import rules
from cli.servers import run, scheduler, serve
from cli.users import user
from engine.domain.errors import GridcaseError
from engine.service.observe import request_id
from vision.cli import vision  # the camera worker's commands (they run in their own process, over the API)
from web.settings import Settings


def main() -> None:
    """Console script entry point: turns gridcase errors into a message and exit code 1."""
    try:
        cli(standalone_mode=True)
    except GridcaseError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)


@click.group()
@click.option("--database-url", envvar="GRIDCASE_DATABASE_URL", help="SQLAlchemy URL (default: var/gridcase.db).")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """gridcase: BPMN case management for city management (数字城管)."""
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # a bad GRIDCASE_ setting: its name and why, not a traceback
        raise click.ClickException(str(exc)) from None
    if database_url:
        settings = Settings(**{**settings.__dict__, "database_url": database_url})
    from web.logging_setup import configure_logging  # text lines, or JSON lines (GRIDCASE_LOG_FORMAT=json)

    try:
        configure_logging(settings.log_level, settings.log_format)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    # SpiffWorkflow logs every task state change at INFO; keep that for DEBUG sessions only.
    for noisy in ("spiff", "alembic.runtime.migration", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    # One run, one id: its log lines and the audit events its commands write carry it (servers set their own
    # per request and per timer firing).
    token = request_id.set(f"cli-{uuid.uuid4().hex}")
    ctx.call_on_close(lambda: request_id.reset(token))  # a run inside another program leaves no id behind
    ctx.obj = settings


cli.add_command(db)
cli.add_command(serve)
cli.add_command(scheduler)
cli.add_command(run)
cli.add_command(process)
cli.add_command(bench)
cli.add_command(calendar)
cli.add_command(case)
cli.add_command(city)
cli.add_command(demo)
cli.add_command(kpi)
cli.add_command(report)
cli.add_command(import_group)
cli.add_command(replay)
cli.add_command(rules)
cli.add_command(user)
cli.add_command(vision)


if __name__ == "__main__":
    main()
