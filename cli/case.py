"""``gridcase case``: cases of any deployed process, from the command line.

``gridcase case start PROCESS_ID --data JSON [--as USER]`` sends the same ``StartCase`` command as the API's
``POST /processes/{id}/cases`` and the start page, so it refuses the same things: an unknown process, data the
process's start form refuses (every field named), and with ``--as`` an account that is not one of the process's
starters. Without ``--as`` the case is started by the operator at the server's shell (actor ``cli``), who holds
the database anyway: the start form is checked, the starter groups are not. Refusals exit 1 with a message.

``--idempotency-key KEY`` makes the start idempotent as the API's ``Idempotency-Key`` header does
(``engine.service.start_keys``): the same key again from the same account for the same process prints the first
case ("already started"), with other data it is refused.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus

OPERATOR = "cli"


def _bus(settings: Settings) -> MessageBus:
    """The engine over the configured database (imported here: loading the engine is slow for --help)."""
    from city.bootstrap import bootstrap

    return bootstrap(settings.database_url, working_time=settings.working_time(),
                     script_limits=settings.script_limits(), workflows_dir=settings.workflows_dir)


def _data(text: str) -> dict[str, Any]:
    """The start data given with --data: a JSON object, else a usage message."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise click.ClickException(f"--data is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise click.ClickException("--data must be a JSON object, e.g. '{\"application\": {\"days\": 3}}'")
    return data


@click.group()
def case() -> None:
    """Cases of any deployed process."""


@case.command("start")
@click.argument("process_id")
@click.option("--data", "data_text", default="{}", show_default=True,
              help="The start data, a JSON object; checked against the process's start form.")
@click.option("--as", "username", default=None,
              help="Start it as this account, which must be one of the process's starters (default: the operator).")
@click.option("--idempotency-key", "key", default=None,
              help="1-200 printable ASCII characters: the same key again (same account, process and data) starts "
                   "no second case but prints the first.")
@click.pass_obj
def case_start(settings: Settings, process_id: str, data_text: str, username: str | None, key: str | None) -> None:
    """Start a case of the newest version of PROCESS_ID and print its number."""
    from engine.domain.errors import GridcaseError
    from engine.domain.forms import FieldsRejected
    from engine.service.start_keys import key_problem, start_by_hand

    problem = None if key is None else key_problem(key)
    if problem is not None:
        raise click.ClickException(f"--idempotency-key {problem}")
    data = _data(data_text)
    bus = _bus(settings)
    try:
        ref = start_by_hand(bus.deps, bus, process_id, data, username or OPERATOR, key=key,
                            check_starter=username is not None)
    except FieldsRejected as exc:
        named = "; ".join(f"{field}: {message}" for field, message in sorted(exc.fields.items()))
        raise click.ClickException(f"the start form refuses the data: {named}") from None
    except GridcaseError as exc:
        raise click.ClickException(exc.message) from None
    if ref.created:
        click.echo(f"started case {ref.case_no} of {process_id}")
    else:
        click.echo(f"already started case {ref.case_no} of {process_id} with this idempotency key")
