"""``gridcase open311 keys create --name --contact [--per-minute] --as ADMIN | list | revoke ID --as ADMIN``: the
Open311 apps' api keys — the same commands as ``/api/v1/open311/keys`` and the admin page ``/admin/api-keys``. A
refusal prints its field and message and exits 2."""

from __future__ import annotations

import json

import click

from cli.options import city_bus, handled_or_exit
from web.settings import Settings

COLUMNS = ("id", "key_prefix", "name", "contact", "per_minute", "created_at", "last_used_at", "revoked_at")


@click.group()
def open311() -> None:
    """Open311 GeoReport v2 (docs/open311.md): the apps' api keys."""


@open311.group("keys")
def keys() -> None:
    """The Open311 apps' api keys (admins)."""


@keys.command("create")
@click.option("--name", required=True, help="The app's name (unique).")
@click.option("--contact", required=True, help="Who to ask about the app (email, phone).")
@click.option("--per-minute", type=int, default=None, help="POSTs a minute (default GRIDCASE_OPEN311_KEY_PER_MINUTE).")
@click.option("--as", "username", required=True, help="Who makes it: an admin.")
@click.pass_obj
def keys_create(settings: Settings, name: str, contact: str, per_minute: int | None, username: str) -> None:
    """Make a key and print it: it is shown this once (only its sha256 is kept)."""
    from city.open311.commands import CreateApiKey

    made = handled_or_exit(city_bus(settings), CreateApiKey(name, contact, per_minute, username))
    click.echo(f"id {made['id']}: {made['name']} ({made['per_minute']}/min)")
    click.echo(f"key (shown once): {made['key']}")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.pass_obj
def keys_list(settings: Settings, as_json: bool) -> None:
    """Print the keys (their prefixes, never the keys), newest first."""
    from city.open311.keys import key_list

    rows = [{name: row[name].isoformat() if hasattr(row[name], "isoformat") else row[name] for name in COLUMNS}
            for row in key_list(city_bus(settings).deps)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    click.echo("\t".join(COLUMNS))
    for row in rows:
        click.echo("\t".join("" if row[name] is None else str(row[name]) for name in COLUMNS))


@keys.command("revoke")
@click.argument("key_id", type=int)
@click.option("--as", "username", required=True, help="Who revokes it: an admin.")
@click.pass_obj
def keys_revoke(settings: Settings, key_id: int, username: str) -> None:
    """Revoke a key: its app's requests are refused (403) from now on."""
    from city.open311.commands import RevokeApiKey

    done = handled_or_exit(city_bus(settings), RevokeApiKey(key_id, username))
    click.echo(f"revoked key {done['id']} ({done['name']}) at {done['revoked_at'].isoformat()}")
