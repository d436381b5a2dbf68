"""``gridcase notify``: subscribe a person or group to a channel, send one test message, resend a delivery."""

from __future__ import annotations

import click

from engine.domain.notifications import CHANNELS, KINDS, LOCALES
from web.settings import Settings


@click.group()
def notify() -> None:
    """Notifications (通知): subscriptions and test messages."""


@notify.command("subscribe")
@click.option("--person", default=None, help="An account name.")
@click.option("--group", default=None, help="A group: a role (dispatcher …) or a department code.")
@click.option("--channel", required=True, type=click.Choice(CHANNELS))
@click.option("--address", default="", help="An Apprise URL, or an email address for email (none for in_app).")
@click.option("--events", default="", help=f"Comma-separated kinds (default: all): {', '.join(KINDS)}.")
@click.option("--locale", default="zh", show_default=True, type=click.Choice(LOCALES))
@click.option("--disable", is_flag=True, help="Keep the subscription but send nothing to it.")
@click.pass_obj
def subscribe(settings: Settings, person: str | None, group: str | None, channel: str, address: str, events: str,
              locale: str, disable: bool) -> None:
    """Create or update one subscription (SetSubscription)."""
    from city.bootstrap import bootstrap
    from engine.domain.notification_commands import SetSubscription

    if (person is None) == (group is None):
        raise click.UsageError("give exactly one of --person or --group")
    kinds = tuple(e.strip() for e in events.split(",") if e.strip())
    subject_kind, subject = ("person", person) if person is not None else ("group", group or "")
    found = bootstrap(settings.database()).handle(SetSubscription(
        subject_kind, subject, channel, address, kinds, locale, not disable, actor="cli"))
    click.echo(f"subscription {found}: {subject_kind} {subject} ← {channel} {address} "
               f"({', '.join(kinds) or 'every event'})")


@notify.command("test")
@click.option("--address", required=True, help="An Apprise URL or an email address.")
@click.option("--channel", default=None, type=click.Choice(CHANNELS), help="Default: email for an address, else "
                                                                            "webhook.")
@click.option("--message", default="", help="Text added to the test message.")
@click.pass_obj
def test(settings: Settings, address: str, channel: str | None, message: str) -> None:
    """Send one test message to ADDRESS now, through the outbox and Apprise, and say how it went."""
    from city.bootstrap import bootstrap
    from engine.domain.notification_commands import SendNotification
    from engine.persistence.read.notifications import deliveries_of
    from engine.scheduling.notifications import NotificationLoop
    from engine.service.notifications import notifier_of

    bus = bootstrap(settings.database(), working_time=settings.working_time())
    notifier_of(bus).policy = settings.notify
    ids = bus.handle(SendNotification("test", data={"message": message}, channel=channel, address=address,
                                      actor="cli"))
    with bus.deps.uow(read_only=True) as uow:
        own = tuple(delivery["id"] for delivery in deliveries_of(uow.store, ids))
    NotificationLoop(bus, settings.smtp, senders=1).run_once(own)  # its own delivery only: the scheduler sends the rest
    with bus.deps.uow(read_only=True) as uow:
        found = deliveries_of(uow.store, ids)
    for delivery in found:
        click.echo(f"delivery {delivery['id']}: {delivery['status']}"
                   + (f" ({delivery['last_error']})" if delivery["last_error"] else ""))
    if not found or found[0]["status"] != "sent":
        raise SystemExit(1)


@notify.command("resend")
@click.argument("delivery_id", type=int)
@click.pass_obj
def resend(settings: Settings, delivery_id: int) -> None:
    """Queue an unknown or failed delivery again (ResendNotification): it may reach its reader twice."""
    from city.bootstrap import bootstrap
    from engine.domain.notification_commands import ResendNotification

    bootstrap(settings.database()).handle(ResendNotification(delivery_id, actor="cli"))
    click.echo(f"delivery {delivery_id} queued again")
