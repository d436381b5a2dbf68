"""The detector with the real NanoDet IR: right objects on a real photo, manifests as configuration, and the
async queue agreeing with the synchronous path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vision.detections import Detection, box_iou
from vision.detector import Detector
from vision.manifest import ManifestError, load_manifest, write_manifest

# Where the objects in dog.jpg are (pixels of the 768x576 photo).
DOG_REFERENCE = {
    "bicycle": (123, 129, 570, 424),
    "dog": (131, 221, 360, 543),
    "truck": (465, 86, 693, 166),
}


def best_iou(detections: list[Detection], name: str, reference: tuple[float, ...]) -> float:
    """The best overlap between a reference box and the detections of that class (0 if none)."""
    return max((box_iou(d.box, reference) for d in detections if d.class_name == name), default=0.0)


def assert_same(found: list[Detection], expected: list[Detection]) -> None:
    """Same objects in the same order; scores and boxes equal up to the two compilations' rounding."""
    assert [d.class_name for d in found] == [d.class_name for d in expected]
    for a, b in zip(found, expected, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-3)
        assert np.allclose(a.box, b.box, atol=1.0)


def manifest_doc(manifest_path: Path) -> dict[str, Any]:
    """The manifest's JSON with the model path made absolute, ready to be rewritten elsewhere."""
    doc = json.loads(manifest_path.read_text(encoding="utf-8"))
    doc["model"] = str(manifest_path.parent / doc["model"])
    return doc


def test_dog_photo_bicycle_dog_and_truck(detector: Detector, dog: np.ndarray) -> None:
    found = detector.detect(dog)
    for name, reference in DOG_REFERENCE.items():
        assert best_iou(found, name, reference) >= 0.6, f"{name} not found near {reference}: {found}"
    assert [d.score for d in found] == sorted((d.score for d in found), reverse=True)
    for d in found:
        assert 0 <= d.x1 <= d.x2 <= 768 and 0 <= d.y1 <= d.y2 <= 576
        assert detector.labels[d.class_id] == d.class_name


def test_manifest_round_trip(manifest_path: Path, tmp_path: Path) -> None:
    manifest = load_manifest(manifest_path)
    original = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest.to_dict(manifest_path.parent) == original
    assert manifest.head == "nanodet_gfl" and manifest.input.layout == "NCHW" and manifest.input.size == 416
    assert manifest.input.colour_order == "BGR" and manifest.strides == (8, 16, 32) and manifest.bins == 11
    assert len(manifest.labels) == 80 and manifest.labels[:3] == ("person", "bicycle", "car")
    assert manifest.extra["licence"]["weights"].startswith("Apache-2.0")
    copy = tmp_path / "elsewhere" / "model.json"
    copy.parent.mkdir()
    write_manifest(manifest, copy)
    assert load_manifest(copy) == manifest  # the model path still points at the same IR


def test_a_different_label_map_and_thresholds_drop_in(manifest_path: Path, dog: np.ndarray, tmp_path: Path) -> None:
    """A city's model is configuration: same IR here, but its own names, thresholds and no vehicle merge."""
    doc = manifest_doc(manifest_path)
    renamed = {"bicycle": "非机动车", "dog": "流浪狗", "truck": "货车", "car": "小汽车", "bench": "长椅"}
    doc["name"] = "city-test"
    doc["labels"] = [renamed.get(name, name) for name in doc["labels"]]
    doc["postprocess"].update(score_threshold=0.3, class_thresholds={"长椅": None}, merge_groups=[])
    path = tmp_path / "city.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    found = Detector.from_manifest(path).detect(dog)
    names = {d.class_name for d in found}
    assert {"非机动车", "流浪狗", "货车"} <= names
    assert "长椅" not in names  # switched off by its class threshold
    assert "小汽车" in names  # the pickup also scores ~0.34 as a car: above 0.3 and no longer merged
    assert not names & set(renamed)  # no original name leaks through
    assert min(d.score for d in found) >= 0.3


def test_camera_thresholds_override_the_manifest(manifest_path: Path, dog: np.ndarray) -> None:
    found = Detector.from_manifest(manifest_path, thresholds={"bench": None, "bicycle": 0.9}).detect(dog)
    assert {d.class_name for d in found} == {"dog", "truck"}
    with pytest.raises(ValueError, match="unicorn"):
        Detector.from_manifest(manifest_path, thresholds={"unicorn": 0.5})


def test_a_manifest_that_does_not_fit_the_model_is_refused(manifest_path: Path, tmp_path: Path) -> None:
    doc = manifest_doc(manifest_path)
    doc["labels"] = doc["labels"][:79]
    path = tmp_path / "short.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ManifestError, match="shape"):
        Detector.from_manifest(path)
    doc = manifest_doc(manifest_path) | {"head": "yolo_v99"}
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ManifestError, match="head"):
        load_manifest(path)
    with pytest.raises(ManifestError, match="make models"):
        load_manifest(tmp_path / "absent.json")


def test_async_queue_gives_the_sync_detections(detector: Detector, street_frames: list[np.ndarray]) -> None:
    detector.reset_timings()
    synchronous = [detector.detect(frame) for frame in street_frames]
    sync_timings = detector.reset_timings()
    asynchronous = list(detector.detect_many(iter(street_frames), jobs=2))
    async_timings = detector.reset_timings()

    assert len(asynchronous) == len(synchronous) == len(street_frames)
    assert sum(len(frame) for frame in synchronous) > 3 * len(street_frames)  # people in every frame
    for sync, asyn in zip(synchronous, asynchronous, strict=True):
        assert_same(asyn, sync)
    for timings in (sync_timings, async_timings):
        assert timings.frames == len(street_frames)
        stages = timings.per_frame_ms()
        assert stages["infer"] > 0 and stages["preprocess"] > 0 and stages["postprocess"] > 0 and stages["fps"] > 0


def test_tagged_frames_come_back_in_order(detector: Detector, street_frames: list[np.ndarray]) -> None:
    tags = [f"t{i}" for i in range(len(street_frames))]
    results = list(detector.detect_tagged(zip(tags, street_frames, strict=True), jobs=3))
    assert [tag for tag, _ in results] == tags
    assert all(any(d.class_name == "person" for d in found) for _, found in results)


def test_a_consumer_may_stop_early(detector: Detector, street_frames: list[np.ndarray]) -> None:
    stream = detector.detect_many(street_frames, jobs=2)
    first = next(stream)
    stream.close()  # drains the queue: no request keeps writing after the caller left
    assert_same(first, detector.detect(street_frames[0]))


def test_one_async_stream_per_detector_at_a_time(detector: Detector, street_frames: list[np.ndarray]) -> None:
    running = detector.detect_many(street_frames)
    next(running)
    with pytest.raises(RuntimeError, match="already in use"):
        next(detector.detect_many(street_frames))
    running.close()
    assert len(list(detector.detect_many(street_frames[:2]))) == 2
