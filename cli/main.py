"""The ``gridcase`` command line: the root group (settings, logging, exit codes) and every command group.

Command groups are imported when they are used, not at start: most import the engine, the database and the
web stack (over 0.5 s of CPU), which ``gridcase rules eval`` — a filter run once per batch of lines — needs none of.
"""

from __future__ import annotations

import importlib
import logging
import sys
import uuid
from typing import Any

import click

from engine.domain.errors import GridcaseError  # the standard library only: cheap for every command

#: command name → "module:attribute", imported on first use (``gridcase --help`` imports them all)
COMMANDS: dict[str, str] = {
    "assessment": "cli.assessment:assessment",
    "db": "cli.db:db",
    "decoration": "cli.decoration:decoration",
    "serve": "cli.servers:serve",
    "scheduler": "cli.servers:scheduler",
    "run": "cli.servers:run",
    "process": "cli.process:process",
    "bench": "cli.bench:bench",
    "calendar": "cli.calendar:calendar",
    "campaign": "cli.campaign:campaign",
    "case": "cli.case:case",
    "citizens": "cli.citizens:citizens",
    "connectors": "cli.connectors:connectors",
    "exchange": "cli.exchange:exchange",
    "open311": "cli.open311:open311",
    "city": "cli.admin:city",  # cli.city's group with the admin subcommands (department, subtype, routing)
    "components": "cli.components:components",
    "emergency": "cli.emergency:emergency",
    "enforcement": "cli.enforcement_transfer:enforcement",  # cli.enforcement_records' group with transfer
    "demo": "cli.history:demo",  # cli.history adds `demo history` to cli.demo's group when it is imported
    "kpi": "cli.kpi:kpi",
    "notify": "cli.notify:notify",
    "report": "cli.kpi:report",
    "import": "cli.history:import_group",
    "replay": "cli.replay:replay",
    "rules": "cli.rules:rules",
    "transport": "cli.transport:transport",
    "user": "cli.users:user",
    "vision": "vision.cli:vision",  # the camera worker's commands (they run in their own process, over the API)
}

#: commands that need no settings, database or logging setup: the root group leaves the web stack unimported
STANDALONE = frozenset({"rules"})


class LazyGroup(click.Group):
    """A group whose subcommands are imported from :data:`COMMANDS` when they are looked up."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, the lazy ones included."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module the first time it is asked for."""
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module_name, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


def main() -> None:
    """Console script entry point: turns gridcase errors into a message and exit code 1."""
    try:
        cli(standalone_mode=True)
    except GridcaseError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.option("--database-url", envvar="GRIDCASE_DATABASE_URL", help="SQLAlchemy URL (default: var/gridcase.db).")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """gridcase: BPMN case management for city management (数字城管)."""
    if ctx.invoked_subcommand in STANDALONE:
        return  # reads files and stdin only: no settings to check, no logging to set up
    from engine.service.observe import request_id
    from web.logging_setup import configure_logging  # text lines, or JSON lines (GRIDCASE_LOG_FORMAT=json)
    from web.settings import Settings

    try:
        settings = Settings.from_env()
    except ValueError as exc:  # a bad GRIDCASE_ setting: its name and why, not a traceback
        raise click.ClickException(str(exc)) from None
    if database_url:
        settings = Settings(**{**settings.__dict__, "database_url": database_url})
    try:
        configure_logging(settings.log_level, settings.log_format)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    # SpiffWorkflow logs every task state change at INFO; keep that for DEBUG sessions only.
    for noisy in ("spiff", "alembic.runtime.migration", "alembic.runtime.plugins", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    # One run, one id: its log lines and the audit events its commands write carry it (servers set their own
    # per request and per timer firing).
    token = request_id.set(f"cli-{uuid.uuid4().hex}")
    ctx.call_on_close(lambda: request_id.reset(token))  # a run inside another program leaves no id behind
    ctx.obj = settings


if __name__ == "__main__":
    main()
