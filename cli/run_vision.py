"""What `gridcase run --vision CAMERA` adds: once the web server answers, a vision worker reads each camera
once (the demo camera's sample clip opens its illegal-parking case), with a token of the vision account."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import urllib.request

import click

from web.settings import Settings


def _wait_for_web(port: int, stop: threading.Event, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            stop.wait(0.5)
    return False


def start_vision(settings: Settings, base: list[str], cameras: tuple[str, ...], account: str,
                 stop: threading.Event, workers: list[subprocess.Popen[bytes]]) -> None:
    """Start one ``vision run --once`` per camera when the web server is up (run in a thread)."""
    if not _wait_for_web(settings.port, stop):
        click.echo("vision: the web server did not come up; no camera is read", err=True)
        return
    issued = subprocess.run([*base, "user", "token", account, "--name", "gridcase run"], capture_output=True,
                            text=True, check=False)
    if issued.returncode != 0:
        click.echo(f"vision: no token for {account}: {issued.stderr.strip()}", err=True)
        return
    env = {**os.environ, "GRIDCASE_VISION_TOKEN": issued.stdout.strip(),
           "GRIDCASE_API_URL": f"http://127.0.0.1:{settings.port}"}
    for camera in cameras:
        if not stop.is_set():
            workers.append(subprocess.Popen([*base, "vision", "run", "--camera", camera, "--once"], env=env))
