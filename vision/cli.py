"""``gridcase vision …``: run a camera worker. It talks to the web API only (a machine token of a
``vision_worker`` account: ``gridcase user token vision01 --name vision-worker``)."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger(__name__)
# The camera worker's own packages, the `vision` extra: module -> the package that brings it. This module imports
# none of them at load time, so the `gridcase` command line (cli.main registers these commands) works without them.
VISION_PACKAGES = {"cv2": "opencv-python-headless", "openvino": "openvino"}


def require_vision_extra() -> None:
    """Stop with a clear message, before any work, when the vision extra is not installed."""
    missing = [package for module, package in VISION_PACKAGES.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise click.ClickException(f"the camera worker needs the vision extra (missing: {', '.join(missing)}); "
                                   "install it with: pip install -e '.[vision]' (make run does)")


def _default_api() -> str:
    return f"http://127.0.0.1:{os.environ.get('GRIDCASE_PORT', '5000')}"


@click.group("vision")
def vision() -> None:
    """Camera workers: OpenVINO detections in camera zones become cases (docs/vision.md)."""


@vision.command("run")
@click.option("--camera", "camera_id", required=True, help="Camera id from config/cameras/*.yaml.")
@click.option("--source", default=None, help="Read this file, image folder or stream URL instead of the camera's.")
@click.option("--once", is_flag=True, help="Read the source once, deliver, and exit (1 if alerts are left pending).")
@click.option("--cameras", "cameras_dir", type=click.Path(path_type=Path), default=ROOT / "config" / "cameras",
              show_default=True)
@click.option("--api-url", envvar="GRIDCASE_API_URL", default=_default_api, show_default="http://127.0.0.1:5000")
@click.option("--token", envvar="GRIDCASE_VISION_TOKEN", required=True, help="[env GRIDCASE_VISION_TOKEN]")
@click.option("--spool", "spool_dir", type=click.Path(path_type=Path), envvar="GRIDCASE_VISION_SPOOL",
              default=ROOT / "var" / "vision", show_default=True)
@click.option("--model", type=click.Path(path_type=Path), envvar="GRIDCASE_VISION_MODEL", default=None,
              help="Model manifest (default var/models/nanodet/model.json) [env GRIDCASE_VISION_MODEL]")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 8), help="Inference requests in flight.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON.")
def vision_run(camera_id: str, source: str | None, once: bool, cameras_dir: Path, api_url: str, token: str,
               spool_dir: Path, model: Path | None, jobs: int, as_json: bool) -> None:
    """Watch one camera: detect, track, apply rules/vision_events.dmn, and report through the API."""
    require_vision_extra()
    from vision.cameras import CameraConfigError, find_camera
    from vision.client import ApiClient
    from vision.manifest import ManifestError
    from vision.sources import SourceError

    try:
        camera = find_camera(cameras_dir, camera_id)
        summary = _watch(camera, source or camera.source, once, ApiClient(api_url, token), spool_dir, model, jobs)
    except (CameraConfigError, ManifestError, SourceError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(summary, ensure_ascii=False, indent=1) if as_json else
               f"{camera.camera_id}: {summary['frames']} frames at {summary['fps']} fps, {summary['alerts']} alerts, "
               f"cases {summary['cases'] or '-'}, evidence {summary['evidence'] or '-'}, pending {summary['pending']}")
    if summary["pending"]:
        raise SystemExit(1)


def _watch(camera: Any, source: str, once: bool, client: Any, spool_dir: Path, model: Path | None,
           jobs: int) -> dict[str, Any]:
    from vision.detector import Detector
    from vision.rules import RuleBook, load_rules
    from vision.spool import Spool
    from vision.worker import CameraRun

    detector = Detector.from_manifest(model, thresholds=None) if model else Detector.from_manifest()
    spool = Spool(spool_dir / camera.camera_id)
    rules = RuleBook(load_rules())
    delay = 1.0
    while True:
        run = CameraRun(camera, detector, client, spool, rules, source, camera.repeat, jobs)
        stats = run.run()
        is_stream = "://" in source
        if once or not is_stream:
            _drain(spool, client, stats, once)
            return {**stats.as_dict(), "latency_ms": {k: round(v * 1000) for k, v in run.latencies.items()}}
        log.warning("stream %s ended; reopening in %.0f s", source, delay)  # a camera drops; keep watching
        time.sleep(delay)
        delay = min(delay * 2, 60.0)


def _drain(spool: Any, client: Any, stats: Any, once: bool) -> None:
    """Keep delivering what is pending (a long-running worker waits for the API; --once gives up)."""
    delay = 2.0
    while spool.waiting() and not once:
        time.sleep(delay)
        spool.deliver(client)
        delay = min(delay * 2, 60.0)
    stats.pending = len(spool.waiting())


@click.command("vision")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--frames", "frame_count", default=200, show_default=True, type=click.IntRange(20, 5000))
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 8))
@click.option("--api-url", default=None, help="A running app to measure detection-to-case latency against "
                                               "(default: start one on a temporary SQLite database).")
@click.option("--token", envvar="GRIDCASE_VISION_TOKEN", default=None, help="Token for --api-url.")
def bench_vision(as_json: bool, frame_count: int, jobs: int, api_url: str | None, token: str | None) -> None:
    """Frames per second synchronous vs the async infer queue, per stage; detection-to-case latency."""
    require_vision_extra()
    from vision.bench import run as run_bench

    click.echo(json.dumps(run_bench(frame_count, jobs, api_url, token), indent=2, ensure_ascii=False))
