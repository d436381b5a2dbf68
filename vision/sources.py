"""Frames from a camera source, sampled at the camera's rate: a video file, a folder of images, or an
RTSP/HTTP stream. Each frame comes with its stream time in seconds (from the first frame), which
the tracker and the alert ids use — a file gives the same times on every run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


class SourceError(ValueError):
    """A source that cannot be opened or read; the message names it."""


@dataclass(frozen=True)
class Frame:
    """One sampled frame: its stream time, the BGR pixels, and the decode time it cost."""

    seconds: float
    image: np.ndarray
    decode_ms: float


def _is_stream(source: str) -> bool:
    return "://" in source


def frames(source: str, sample_fps: float, repeat: int = 1) -> Iterator[Frame]:
    """Sampled frames of ``source``; a file is played ``repeat`` times, its time running on."""
    if _is_stream(source):
        yield from _video(source, sample_fps, live=True)
        return
    path = Path(source)
    if path.is_dir():
        yield from _folder(path, sample_fps)
        return
    if not path.is_file():
        raise SourceError(f"source {source} does not exist")
    offset = 0.0
    for _ in range(max(repeat, 1)):
        last = 0.0
        for frame in _video(source, sample_fps, live=False):
            last = frame.seconds
            yield Frame(frame.seconds + offset, frame.image, frame.decode_ms)
        offset += last + 1.0 / sample_fps


def _video(source: str, sample_fps: float, live: bool) -> Iterator[Frame]:
    capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        raise SourceError(f"cannot open video source {source}")
    try:
        fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
        step = max(round(fps / sample_fps), 1)
        index, started = 0, time.monotonic()
        while True:
            begin = time.perf_counter()
            ok, image = capture.read()
            if not ok:
                return
            if index % step == 0:
                seconds = time.monotonic() - started if live else index / fps
                yield Frame(seconds, image, (time.perf_counter() - begin) * 1000)
            index += 1
    finally:
        capture.release()


def _folder(folder: Path, sample_fps: float) -> Iterator[Frame]:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise SourceError(f"no images in {folder}")
    for index, path in enumerate(paths):
        begin = time.perf_counter()
        image = cv2.imread(str(path))
        if image is None:
            raise SourceError(f"cannot read image {path}")
        yield Frame(index / sample_fps, image, (time.perf_counter() - begin) * 1000)
