"""``gridcase bench vision``: frames per second with synchronous inference and with the async infer queue
(split into decode, preprocess, infer and postprocess), and detection-to-case latency through a running
web app — the demo camera's clip, its van in the no-parking zone, a real case at the end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from vision.cameras import Camera, load_camera
from vision.client import ApiClient
from vision.detector import Detector
from vision.rules import RuleBook, load_rules
from vision.sources import frames
from vision.spool import Spool
from vision.worker import CameraRun

ROOT = Path(__file__).resolve().parents[1]
DEMO_CAMERA = ROOT / "config" / "cameras" / "demo_street.yaml"


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(port: int, deadline: float) -> None:
    """Wait until the app answers /healthz."""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the web app did not come up")


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in figures.items()}


def _sync(camera: Camera, count: int, threads: int | None) -> dict[str, float]:
    sync = Detector.from_manifest(threads=threads)
    sync.detect(next(frames(camera.source, 10)).image)  # warm up outside the timing
    sync.reset_timings()
    begin = time.perf_counter()
    for index, frame in enumerate(frames(camera.source, 10, repeat=10)):
        if index == count:
            break
        sync.timings.decode += frame.decode_ms / 1000
        sync.detect(frame.image)
    sync.timings.wall = time.perf_counter() - begin
    return sync.timings.per_frame_ms()


def throughput(camera: Camera, count: int, jobs: int) -> dict[str, Any]:
    """The same ``count`` frames read from the clip: synchronously (the plugin's threads: both cores on one
    frame; and one thread), and through the async queue (``jobs`` requests, one stream each)."""
    sync_figures, one_thread = _sync(camera, count, None), _sync(camera, count, 1)
    queued = Detector.from_manifest()
    list(queued.detect_many([next(frames(camera.source, 10)).image], jobs))
    queued.reset_timings()
    source = (f.image for i, f in zip(range(count), frames(camera.source, 10, repeat=10), strict=False))
    for _ in queued.detect_many(source, jobs):
        pass
    async_figures = queued.timings.per_frame_ms()
    return {"frames": count, "jobs": jobs, "sync": _rounded(sync_figures), "sync_one_thread": _rounded(one_thread),
            "async": _rounded(async_figures), "async_vs_sync": round(async_figures["fps"] / sync_figures["fps"], 2),
            "async_vs_sync_one_thread": round(async_figures["fps"] / one_thread["fps"], 2)}


def _gridcase(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "GRIDCASE_LOG_LEVEL": "WARNING"})
    return done.stdout.strip()


def latency(camera: Camera, api_url: str | None, token: str | None) -> dict[str, Any]:
    """Run the demo camera once against an app; milliseconds from the rule hit to the case."""
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if api_url is None:
            url = f"sqlite:///{tmp}/vision-bench.db"
            for args in (("db", "upgrade"), ("demo", "seed"), ("process", "deploy", "workflows", "rules")):
                _gridcase(url, *args)
            token = _gridcase(url, "user", "token", "vision01", "--name", "bench-vision")
            port = free_port()
            env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_PORT": str(port),
                   "GRIDCASE_SECRET_KEY": "bench", "GRIDCASE_LOG_LEVEL": "WARNING",
                   "GRIDCASE_ATTACHMENTS_DIR": f"{tmp}/attachments"}
            server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--prod", "--workers", "2"], cwd=ROOT,
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_up(port, time.monotonic() + 60)
            api_url = f"http://127.0.0.1:{port}"
        try:
            run = CameraRun(camera, Detector.from_manifest(), ApiClient(api_url, token or ""),
                            Spool(Path(tmp) / "spool"), RuleBook(load_rules()), camera.source, camera.repeat)
            stats = run.run()
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=20)
    values = sorted(run.latencies.values())
    return {"alerts": stats.alerts, "cases": stats.cases, "evidence": stats.evidence, "frames": stats.frames,
            "pipeline_fps": round(stats.frames / stats.seconds, 1) if stats.seconds else None,
            "detection_to_case_ms": [round(v * 1000, 1) for v in values]}


def run(count: int = 200, jobs: int = 2, api_url: str | None = None, token: str | None = None) -> dict[str, Any]:
    """Both measurements on the demo camera's clip (``make models`` fetched it)."""
    camera = load_camera(DEMO_CAMERA)
    return {"machine": f"{os.cpu_count()} cores", "model": "NanoDet (416×416, OpenVINO CPU)",
            "throughput": throughput(camera, count, jobs), "latency": latency(camera, api_url, token),
            "target": "async ≥ 1.5× sync frames per second"}
