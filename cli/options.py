"""Small pieces the command groups share: the city's bus over the configured database, and option values."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus


def city_bus(settings: Settings) -> MessageBus:
    """The engine over the configured database (imported here: loading the engine is slow for --help)."""
    from city.bootstrap import bootstrap

    return bootstrap(settings.database_url, working_time=settings.working_time(),
                     script_limits=settings.script_limits(), workflows_dir=settings.workflows_dir)


def codes(text: str | None) -> list[str]:
    """``A, B,C`` → ``["A", "B", "C"]`` (empty parts dropped)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def moment(text: str, option: str) -> datetime:
    """An ISO date and time given to ``option``; without a zone it is UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"{option} must be an ISO date and time, e.g. 2026-12-08T08:00:00+08:00") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


REFUSED_EXIT = 2  # a command the engine refused (bad input, no such thing, not allowed): nothing was written


def handled_or_exit(bus: MessageBus, command: Any, note: str = "") -> Any:
    """``bus.handle(command)``; a refusal prints each field at fault (or the message, then ``note``) and exits 2."""
    from engine.domain.errors import GridcaseError
    from engine.domain.forms import FieldsRejected

    try:
        return bus.handle(command)
    except FieldsRejected as exc:
        click.echo(f"refused: {exc.message}", err=True)
        for name, message in exc.fields.items():
            click.echo(f"  {name}: {message}", err=True)
        sys.exit(REFUSED_EXIT)
    except GridcaseError as exc:
        click.echo(f"refused: {exc.field + ': ' if exc.field else ''}{exc.message}{note}", err=True)
        sys.exit(REFUSED_EXIT)


def read_registry_files(paths: tuple[Path, ...], file_names: tuple[str, ...]) -> dict[str, str]:
    """The files of a registry load by name: a folder's ``file_names``, or each file under its base name. Read as
    UTF-8 with a BOM dropped (a file saved by Excel starts with one); not UTF-8, or a name twice: a usage error."""
    found: dict[str, str] = {}
    for path in paths:
        named = [path / name for name in file_names if (path / name).is_file()] if path.is_dir() else [path]
        if not named:
            raise click.UsageError(f"{path} holds none of {', '.join(file_names)}")
        for file in named:
            if file.name in found:
                raise click.UsageError(f"{file.name} is named twice")
            try:
                found[file.name] = file.read_text("utf-8-sig")
            except UnicodeDecodeError:
                raise click.UsageError(f"{file}: not UTF-8 text") from None
    return found
