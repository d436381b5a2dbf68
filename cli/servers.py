"""``gridcase serve|scheduler|run``: the web server, the timer process, and both together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import click

from cli.run_vision import start_vision
from web.settings import Settings


@click.command()
@click.option("--prod", is_flag=True, help="Run gunicorn with several worker processes (use PostgreSQL).")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="gunicorn workers.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.pass_obj
def serve(settings: Settings, prod: bool, workers: int, threads: int) -> None:
    """Start the web server (no scheduler runs in this process)."""
    if prod:
        import os

        if settings.database_url.startswith("sqlite") or not settings.secret_key:
            click.echo("warning: production serving wants PostgreSQL (GRIDCASE_DATABASE_URL) and a shared "
                       "GRIDCASE_SECRET_KEY", err=True)
        os.environ["GRIDCASE_DATABASE_URL"] = settings.database_url
        os.execvp(sys.executable, gunicorn_command(settings, workers, threads))
    from web.app import create_app

    create_app(settings).run(host=settings.host, port=settings.port, threaded=True)


def gunicorn_command(settings: Settings, workers: int, threads: int) -> list[str]:
    """The production server's command line. gunicorn kills and restarts a worker process silent (hung, no
    heartbeat) longer than ``GRIDCASE_WORKER_TIMEOUT``; a slow statement is PostgreSQL's to cancel before that
    (``GRIDCASE_PG_STATEMENT_TIMEOUT``), so the request gets an error answer instead of a dropped connection."""
    timeout = max(1, round(settings.worker_timeout))
    return [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
            "--timeout", str(timeout), "--bind", f"{settings.host}:{settings.port}", "--access-logfile", "-",
            "-c", "python:web.gunicorn_conf", "web.wsgi:app"]


def stop_on_signals(*signums: int) -> threading.Event:
    """An event set when one of ``signums`` arrives. The handlers only note the signal, and a thread of its own sets
    the event: ``Event.set`` takes a lock, so a second signal arriving while a handler sets it (Ctrl-C's SIGINT and
    ``run``'s SIGTERM come together) would deadlock the process on its own lock."""
    stop = threading.Event()
    arrived: list[int] = []
    for signum in signums:
        signal.signal(signum, lambda number, _frame: arrived.append(number))  # list.append takes no lock

    def watch() -> None:
        while not arrived:
            time.sleep(0.1)
        stop.set()

    threading.Thread(target=watch, name="signals", daemon=True).start()
    return stop


@click.command()
@click.pass_obj
def scheduler(settings: Settings) -> None:
    """Start the timer process: fires due timers through FireTimer, runs the built-in connectors' jobs (the
    http connector, GRIDCASE_HTTP_CONNECTOR_HOSTS) and, in a thread of its own, sends the notifications
    (GRIDCASE_NOTIFY_*, GRIDCASE_SMTP_*), until stopped."""
    from city.bootstrap import bootstrap
    from engine.scheduling.connectors import ConnectorLoop
    from engine.scheduling.notifications import NotificationLoop
    from engine.scheduling.scheduler import TimerScheduler
    from engine.service.notifications import notifier_of

    stop = stop_on_signals(signal.SIGTERM, signal.SIGINT)
    bus = bootstrap(settings.database(), working_time=settings.working_time(),  # the settings' durability, timeouts
                    script_limits=settings.script_limits())
    timers = TimerScheduler(bus, lookahead=settings.scheduler_lookahead,
                            checkpoint_every=settings.audit_checkpoint_seconds,
                            connectors=ConnectorLoop(bus, settings.connector_settings()))
    from web.metrics import observe_scheduler

    try:
        observe_scheduler(settings, bus, timers)  # its commands and firings in /metrics and the log
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    notifier_of(bus).policy = settings.notify  # quiet hours, rate limits, attempts and lease
    from city.transport.upkeep import SCHEDULE as TRANSPORT_UPKEEP
    from city.transport.wiring import configure as configure_transport

    configure_transport(bus, retention_days=settings.gps_retention_days, max_batch=settings.gps_max_batch)
    for seconds, command in TRANSPORT_UPKEEP:  # silent vehicles every few minutes, the GPS retention hourly
        timers.every(seconds, command)
    from city.assessment.round_starts import SCHEDULE as ROUND_STARTS

    for seconds, command in ROUND_STARTS:  # a round's inspection cases, chunk by chunk, ~2 s of work a run
        timers.every(seconds, command)
    from city.connectors.schedule import SCHEDULE as CONNECTOR_SCHEDULE
    from city.connectors.schedule import start_loops as start_connector_loops

    for seconds, command in CONNECTOR_SCHEDULE:  # the upper-level exchange's runs
        timers.every(seconds, command)
    start_connector_loops(bus, stop, settings.scheduler_interval)  # pushes to sender systems (12345), own thread
    sender = NotificationLoop(bus, settings.smtp, senders=settings.notify_senders)
    threading.Thread(target=sender.run, args=(stop, settings.scheduler_interval), name="notifications",
                     daemon=True).start()
    click.echo("scheduler running; Ctrl-C stops it")
    timers.run(stop, interval=settings.scheduler_interval)


@click.command()
@click.option("--vision", "cameras", multiple=True, help="Also read these cameras once with the vision worker "
                                                         "when the web server is up (make run: CAM-DEMO-01).")
@click.option("--vision-user", default="vision01", show_default=True, help="The vision_worker account.")
@click.pass_obj
def run(settings: Settings, cameras: tuple[str, ...], vision_user: str) -> None:
    """Start the web server and the scheduler as two processes; Ctrl-C (or SIGTERM) stops both."""
    base = [sys.executable, "-m", "cli", "--database-url", settings.database_url]
    if not os.environ.get("GRIDCASE_CITIZEN_SMS_ADDRESS"):  # a newcomer can try the citizen page (/citizen/)
        os.environ["GRIDCASE_CITIZEN_SMS_ADDRESS"] = "log://"  # the children inherit it
        click.echo("GRIDCASE_CITIZEN_SMS_ADDRESS is not set: citizens' codes and updates appear in this terminal "
                   "(log://)")
    # SIGINT handled explicitly, not by KeyboardInterrupt: a shell starts background jobs with SIGINT ignored.
    stop = stop_on_signals(signal.SIGTERM, signal.SIGINT)
    # Ctrl-C reaches the whole process group. The children start with SIGINT ignored (inherited through exec), so
    # one still importing is not interrupted halfway (KeyboardInterrupt, exit 1); this process stops them with
    # SIGTERM, which each handles once started.
    noting = signal.signal(signal.SIGINT, signal.SIG_IGN)
    children = [subprocess.Popen([*base, "serve"]), subprocess.Popen([*base, "scheduler"])]
    signal.signal(signal.SIGINT, noting)
    workers: list[subprocess.Popen[bytes]] = []  # one-shot vision runs: their end does not stop the servers
    if cameras:
        threading.Thread(target=start_vision, args=(settings, base, cameras, vision_user, stop, workers),
                         daemon=True).start()
    try:
        while not stop.is_set() and all(child.poll() is None for child in children):
            stop.wait(0.5)
    finally:
        for child in [*children, *workers]:
            if child.poll() is None:
                child.terminate()  # SIGTERM: both servers stop cleanly on it
        for child in [*children, *workers]:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:  # a child that ignores SIGTERM must not outlive `run`
                child.kill()
                child.wait()
    failed = [(name, child.returncode) for name, child in zip(("serve", "scheduler"), children, strict=True)
              if child.returncode not in (0, -signal.SIGTERM)]
    for name, code in failed:
        click.echo(f"gridcase {name} exited with {code}", err=True)
    sys.exit(1 if failed else 0)
