"""Vision tests: the real NanoDet model and sample media that `make models` builds (make test runs it first).

A missing model or sample fails the tests (never skips them): a detector that silently stopped being
tested would look the same as one that works.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.detector import Detector
from vision.manifest import DEFAULT_MANIFEST, ROOT

SAMPLES = ROOT / "var" / "samples"


def require(path: Path) -> Path:
    """The path, or a failed test that says how to make it."""
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make models`", pytrace=False)
    return path


@pytest.fixture(scope="session")
def manifest_path() -> Path:
    """The NanoDet manifest that make models wrote."""
    require(DEFAULT_MANIFEST)
    return DEFAULT_MANIFEST


@pytest.fixture(scope="session")
def detector(manifest_path: Path) -> Detector:
    """One compiled NanoDet for the session (compiling takes a moment on 2 cores)."""
    return Detector.from_manifest(manifest_path)


@pytest.fixture(scope="session")
def dog() -> np.ndarray:
    """darknet's dog.jpg (768x576 BGR): a bicycle, a dog and a pickup truck."""
    image = cv2.imread(str(require(SAMPLES / "dog.jpg")))
    assert image is not None, "dog.jpg does not decode"
    return image


@pytest.fixture(scope="session")
def street_frames() -> list[np.ndarray]:
    """Every 10th of the first 80 frames of vtest.avi (pedestrians, a parked van, a car at the edge)."""
    capture = cv2.VideoCapture(str(require(SAMPLES / "vtest.avi")))
    frames = []
    try:
        for index in range(80):
            ok, frame = capture.read()
            assert ok, f"vtest.avi ends or fails to decode at frame {index}"
            if index % 10 == 0:
                frames.append(frame)
    finally:
        capture.release()
    return frames
