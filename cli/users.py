"""``gridcase user``: people and machine clients, their passwords and API tokens (issue, list, revoke)."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

import click

from engine.service.accounts import ROLES
from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus

def _cli_actor() -> str:
    """Who the command line acts as in the audit: ``cli:<operating-system user>``. The colon is outside the
    usernames' pattern (engine.service.accounts.USERNAME), so no account can ever be named so."""
    try:
        who = getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        who = "unknown"
    return f"cli:{who}"[:100]


CLI_ACTOR = _cli_actor()
PASSWORD_STDIN = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of stdin instead of prompting.")


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _bus(settings: Settings) -> MessageBus:
    """The engine over the configured database (imported here: loading the engine is slow for --help)."""
    from city.bootstrap import bootstrap

    return bootstrap(settings.database_url)


@click.group()
def user() -> None:
    """People and machine clients (role integration) who sign in."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--department", default=None, help="Department code (required for department_member).")
@click.option("--district", default=None, help="District code (required for collector).")
@click.option("--name", "display_name", default="", help="Display name (default: the username).")
@PASSWORD_STDIN
@click.pass_obj
def user_add(settings: Settings, username: str, role: str, department: str | None, district: str | None,
             display_name: str, password_stdin: bool) -> None:
    """Create USERNAME with a password."""
    from engine.domain.commands import AddUser

    added = _bus(settings).handle(AddUser(username, display_name, role, _password(password_stdin), department,
                                          district, actor=CLI_ACTOR))
    click.echo(f"added {added.username} ({added.role})")


@user.command("passwd")
@click.argument("username")
@PASSWORD_STDIN
@click.pass_obj
def user_passwd(settings: Settings, username: str, password_stdin: bool) -> None:
    """Set USERNAME's password."""
    from engine.domain.commands import SetPassword
    from engine.service.accounts import principal

    bus = _bus(settings)
    if principal(bus.deps, username) is None:  # say so before asking for a password
        raise click.ClickException(f"no user {username!r}")
    revoked = bus.handle(SetPassword(username, _password(password_stdin), actor=CLI_ACTOR))
    click.echo(f"password changed for {username}: every session ended, {revoked} token(s) revoked")


@user.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for, e.g. vision-worker.")
@click.option("--days", type=int, default=None, help="How long it lasts (default: GRIDCASE_TOKEN_DAYS, 90).")
@click.pass_obj
def user_token(settings: Settings, username: str, name: str, days: int | None) -> None:
    """Issue an API token for USERNAME and print it; it is shown only this once (machine accounts get theirs
    only this way or from an admin through the API: they never sign in with a password)."""
    from engine.domain.commands import IssueApiToken

    lasting = settings.token_days if days is None else days
    token = _bus(settings).handle(IssueApiToken(username, name, actor=CLI_ACTOR, days=lasting))
    click.echo(token)
    click.echo(f"store it now: only its hash is kept, it cannot be shown again; it expires in {lasting} days",
               err=True)


@user.command("tokens")
@click.argument("username")
@click.pass_obj
def user_tokens(settings: Settings, username: str) -> None:
    """USERNAME's tokens, one a line: id, state, name, created, expires, last used (tab-separated)."""
    from engine.service.accounts import list_tokens

    deps = _bus(settings).deps
    now = deps.clock.now()
    for token in list_tokens(deps, username):
        stamps = [t.isoformat(timespec="seconds") if t else "-" for t in (token.created_at, token.expires_at,
                                                                           token.last_used_at)]
        click.echo("\t".join([str(token.id), token.state(now), token.name, *stamps]))


@user.command("revoke")
@click.argument("username")
@click.option("--token", "token_id", type=click.IntRange(1, 2**31 - 1), default=None,
              help="Only this token (its id in `gridcase user tokens`); default: every active token.")
@click.pass_obj
def user_revoke(settings: Settings, username: str, token_id: int | None) -> None:
    """Revoke USERNAME's API tokens (or one of them)."""
    from engine.domain.commands import RevokeApiToken, RevokeApiTokens

    bus = _bus(settings)
    if token_id is not None:
        bus.handle(RevokeApiToken(username, token_id, actor=CLI_ACTOR))
        click.echo(f"token {token_id} of {username} revoked")
    else:
        click.echo(f"{bus.handle(RevokeApiTokens(username, actor=CLI_ACTOR))} token(s) of {username} revoked")


@user.command("list")
@click.option("--role", default=None, help="Only users with this role.")
@click.pass_obj
def user_list(settings: Settings, role: str | None) -> None:
    """Users, one a line: username, role, department, district, display name (tab-separated)."""
    from engine.service.accounts import list_users

    for person in list_users(_bus(settings).deps, role):
        click.echo("\t".join([person.username, person.role, person.department or "-", person.district or "-",
                              person.display_name]))


def _send(settings: Settings, command: object) -> object:
    """Handle an admin account command; a refusal names its field (exit code 1)."""
    from engine.domain.errors import GridcaseError

    try:
        return _bus(settings).handle(command)  # type: ignore[arg-type]
    except GridcaseError as exc:
        raise click.ClickException(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from None


@user.command("disable")
@click.argument("username")
@click.option("--comment", default="", help="Why (kept with the change).")
@click.pass_obj
def user_disable(settings: Settings, username: str, comment: str) -> None:
    """Disable USERNAME: no sign-in; every session ends, every token is revoked, every task they hold is released."""
    from engine.domain.account_commands import DisableUser

    done: dict[str, int] = _send(settings, DisableUser(username, CLI_ACTOR, comment=comment))  # type: ignore[assignment]
    click.echo(f"{username} disabled: every session ended, {done['tokens_revoked']} token(s) revoked,"
               f" {done['tasks_released']} claimed task(s) back in their queues")


@user.command("enable")
@click.argument("username")
@click.option("--comment", default="", help="Why (kept with the change).")
@click.pass_obj
def user_enable(settings: Settings, username: str, comment: str) -> None:
    """Let a disabled USERNAME sign in again."""
    from engine.domain.account_commands import DisableUser

    _send(settings, DisableUser(username, CLI_ACTOR, enable=True, comment=comment))
    click.echo(f"{username} enabled")


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--department", default=None, help="Department code ('' for none).")
@click.option("--district", default=None, help="District code ('' for none).")
@click.option("--comment", default="", help="Why (kept with the change).")
@click.pass_obj
def user_set_role(settings: Settings, username: str, role: str, department: str | None, district: str | None,
                  comment: str) -> None:
    """Give USERNAME the ROLE (and department or district); their sessions end."""
    from engine.domain.account_commands import ChangeUserRole

    _send(settings, ChangeUserRole(username, CLI_ACTOR, role, department, district, comment))
    click.echo(f"{username} is now {role}")


@user.command("reset-password")
@click.argument("username")
@click.option("--comment", default="", help="Why (kept with the change).")
@click.pass_obj
def user_reset_password(settings: Settings, username: str, comment: str) -> None:
    """Give USERNAME a one-time password, printed once; sessions end and tokens are revoked."""
    from engine.domain.account_commands import ResetPassword

    click.echo(_send(settings, ResetPassword(username, CLI_ACTOR, None, comment)))
