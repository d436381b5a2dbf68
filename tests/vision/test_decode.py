"""Decoding on synthetic tensors (no model): the GFL box from one hot cell, NMS and merging, thresholds,
preprocessing; and the TF.js weight rebuild's pitfalls."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from vision import manifest as manifest_module
from vision.decode import HEADS, Decoder, FrameMeta, nms, preprocess
from vision.manifest import ModelManifest, parse_manifest

SIZE, BINS, LABELS = 64, 4, ["a", "b", "c"]


def synthetic_manifest(**postprocess: object) -> ModelManifest:
    """A 64x64 GFL model with strides 8 and 16 (8x8 and 4x4 cells), 4 bins per side and three classes."""
    doc = {
        "format": "gridcase-model/1",
        "name": "synthetic",
        "model": "none.xml",
        "head": "nanodet_gfl",
        "input": {"name": "x", "size": SIZE, "mean": [0, 0, 0], "std": [1, 1, 1]},
        "outputs": [{"name": f"{kind}{s}", "kind": kind, "stride": s} for kind in ("scores", "boxes") for s in (8, 16)],
        "bins": BINS,
        "labels": LABELS,
        "postprocess": {"score_threshold": 0.5, **postprocess},
    }
    return parse_manifest(doc, Path("/nonexistent"))


def empty_outputs() -> dict[str, np.ndarray]:
    """All scores 0 and all bin logits flat, for both strides."""
    outputs = {}
    for stride in (8, 16):
        cells = (SIZE // stride) ** 2
        outputs[f"scores{stride}"] = np.zeros((1, cells, len(LABELS)), np.float32)
        outputs[f"boxes{stride}"] = np.zeros((1, cells, 4 * BINS), np.float32)
    return outputs


def hot_cell(outputs: dict[str, np.ndarray], stride: int, x: int, y: int, cls: int, score: float,
             sides: list[list[float]]) -> None:  # fmt: skip
    """Make cell (x, y) of this stride score `score` for `cls`, with these bin logits per side (l, t, r, b)."""
    index = y * (SIZE // stride) + x  # cells are flattened row-major
    outputs[f"scores{stride}"][0, index, cls] = score
    outputs[f"boxes{stride}"][0, index] = np.asarray(sides, np.float32).reshape(-1)


def one_hot(bin_index: int) -> list[float]:
    """Bin logits whose softmax is (almost exactly) all on one bin."""
    return [40.0 if i == bin_index else 0.0 for i in range(BINS)]


IDENTITY = FrameMeta(1.0, 1.0, SIZE, SIZE)


def test_a_hot_cell_gives_its_box_from_the_cell_centre() -> None:
    outputs = empty_outputs()
    hot_cell(outputs, 8, x=3, y=2, cls=1, score=0.9, sides=[one_hot(1), one_hot(2), one_hot(3), one_hot(0)])
    [found] = Decoder(synthetic_manifest())(outputs, IDENTITY)
    # centre ((3 + 0.5) * 8, (2 + 0.5) * 8) = (28, 20); distances l, t, r, b = (1, 2, 3, 0) bins * 8
    assert (found.class_name, found.class_id) == ("b", 1)
    assert found.score == pytest.approx(0.9)
    assert found.box == pytest.approx((28 - 8, 20 - 16, 28 + 24, 20 + 0), abs=1e-3)


def test_a_side_is_the_softmax_expectation_over_its_bins() -> None:
    outputs = empty_outputs()
    quarter_three_quarters = [0.0, math.log(3.0), -50.0, -50.0]  # p = (0.25, 0.75, 0, 0): 0.75 bins
    flat = [0.0] * BINS  # uniform: the mean bin, 1.5
    hot_cell(outputs, 16, x=1, y=3, cls=2, score=0.8, sides=[quarter_three_quarters, flat, flat, one_hot(0)])
    [found] = Decoder(synthetic_manifest())(outputs, IDENTITY)
    cx, cy = 1.5 * 16, 3.5 * 16
    assert found.box == pytest.approx((cx - 0.75 * 16, cy - 1.5 * 16, cx + 1.5 * 16, min(cy, SIZE)), abs=1e-3)


def test_boxes_scale_to_the_frame_and_are_clipped() -> None:
    outputs = empty_outputs()
    hot_cell(outputs, 8, x=7, y=0, cls=0, score=0.7, sides=[one_hot(0), one_hot(3), one_hot(3), one_hot(1)])
    [found] = Decoder(synthetic_manifest())(outputs, FrameMeta(2.0, 3.0, 128, 192))
    # input box (60, -20, 84, 12) -> x * 2, y * 3 -> clipped to the 128 x 192 frame
    assert found.box == pytest.approx((120, 0, 128, 36), abs=1e-3)


def test_per_class_thresholds_and_switched_off_classes() -> None:
    outputs = empty_outputs()
    sides = [one_hot(1)] * 4
    hot_cell(outputs, 8, 1, 1, cls=0, score=0.6, sides=sides)
    hot_cell(outputs, 8, 5, 5, cls=1, score=0.6, sides=sides)
    hot_cell(outputs, 16, 2, 2, cls=2, score=0.95, sides=sides)
    manifest = synthetic_manifest(class_thresholds={"a": 0.7})
    assert {d.class_name for d in Decoder(manifest)(outputs, IDENTITY)} == {"b", "c"}
    assert {d.class_name for d in Decoder(manifest, {"a": 0.5, "c": None})(outputs, IDENTITY)} == {"a", "b"}


def test_nms_is_per_class_and_merge_groups_are_not() -> None:
    outputs = empty_outputs()
    sides = [one_hot(2)] * 4
    hot_cell(outputs, 8, 3, 3, cls=0, score=0.9, sides=sides)
    hot_cell(outputs, 8, 4, 3, cls=0, score=0.8, sides=sides)  # same class, IoU 0.6: suppressed at 0.5
    hot_cell(outputs, 8, 3, 4, cls=1, score=0.7, sides=sides)  # another class on the same object
    found = Decoder(synthetic_manifest(nms_iou=0.5))(outputs, IDENTITY)
    assert [(d.class_name, round(d.score, 2)) for d in found] == [("a", 0.9), ("b", 0.7)]
    merged = synthetic_manifest(nms_iou=0.5, merge_groups=[["a", "b"]], merge_iou=0.5)
    assert [d.class_name for d in Decoder(merged)(outputs, IDENTITY)] == ["a"]
    assert len(Decoder(merged, merge=False)(outputs, IDENTITY)) == 2


def test_every_head_a_manifest_may_name_has_a_decoder() -> None:
    assert set(HEADS) == set(manifest_module.HEADS)


def test_nms_keeps_the_best_first() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10]], np.float32)
    scores = np.array([0.5, 0.9, 0.8, 0.7], np.float32)
    classes = np.array([0, 0, 0, 1])
    assert nms(boxes, scores, classes, 0.5).tolist() == [1, 2, 3]
    assert nms(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), 0.5).size == 0


def test_preprocess_stretch_bgr_nchw_and_letterbox() -> None:
    frame = np.zeros((30, 40, 3), np.uint8)
    frame[:] = (10, 20, 30)  # B, G, R
    spec = synthetic_manifest().input
    spec = replace(spec, mean=(10.0, 0.0, 0.0), std=(1.0, 2.0, 3.0))
    x, meta = preprocess(frame, spec)
    assert x.shape == (1, 3, SIZE, SIZE) and x.dtype == np.float32 and x.flags.c_contiguous
    assert x[0, :, 5, 5].tolist() == pytest.approx([0.0, 10.0, 10.0])  # (px - mean) / std, channels B, G, R
    assert meta == FrameMeta(40 / SIZE, 30 / SIZE, 40, 30)
    rgb_nhwc = replace(spec, colour_order="RGB", layout="NHWC", resize="letterbox")
    x, meta = preprocess(frame, rgb_nhwc)
    assert x.shape == (1, SIZE, SIZE, 3)
    assert x[0, 5, 5].tolist() == pytest.approx([20.0, 10.0, 10 / 3])  # R, G, B
    assert x[0, SIZE - 1, 5].tolist() == pytest.approx([-10.0, 0.0, 0.0])  # black padding below the image
    assert meta == FrameMeta(40 / SIZE, 40 / SIZE, 40, 30)
    with pytest.raises(ValueError, match="HxWx3"):
        preprocess(np.zeros((30, 40), np.uint8), spec)


def test_tfjs_weights_rebuild_keeps_scalars_int64_and_empty_tensors(tmp_path: Path) -> None:
    from tensorboard.compat.proto import types_pb2

    from vision.tfjs_graph import build_graphdef, load_weights

    halves = np.array([1.5, -2.0], np.float16).tobytes()
    (tmp_path / "w.bin").write_bytes(halves + np.array([7, -1], np.int32).tobytes() + np.float16(-np.inf).tobytes())
    weights = [
        {"name": "f", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16"}},
        {"name": "empty", "shape": [0, 1], "dtype": "int32"},
        {"name": "shape", "shape": [2], "dtype": "int32"},
        {"name": "pad", "shape": [], "dtype": "float32", "quantization": {"dtype": "float16"}},
    ]
    model = {"weightsManifest": [{"paths": ["w.bin"], "weights": weights}], "modelTopology": {"node": [
        {"name": n, "op": "Const", "attr": {"dtype": {"type": t}, "value": {}}}
        for n, t in [("f", "DT_FLOAT"), ("empty", "DT_INT64"), ("shape", "DT_INT64"), ("pad", "DT_FLOAT")]
    ]}}  # fmt: skip
    loaded = load_weights(model, tmp_path)
    assert loaded["f"].tolist() == [1.5, -2.0] and loaded["empty"].shape == (0, 1) and loaded["pad"].shape == ()
    nodes = {n.name: n.attr["value"].tensor for n in build_graphdef(model, loaded).node}
    assert nodes["shape"].dtype == types_pb2.DT_INT64
    assert np.frombuffer(nodes["shape"].tensor_content, "<i8").tolist() == [7, -1]
    assert nodes["pad"].HasField("tensor_shape") and len(nodes["pad"].tensor_shape.dim) == 0  # a scalar, not [1]
    assert np.frombuffer(nodes["pad"].tensor_content, "<f4").tolist() == [-np.inf]
    assert [d.size for d in nodes["empty"].tensor_shape.dim] == [0, 1] and nodes["empty"].tensor_content == b""


def test_importing_the_detector_writes_no_telemetry_files(tmp_path: Path) -> None:
    """OpenVINO's import-time usage telemetry would write ~/intel/…; vision.detector turns it off."""
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("CI", None)
    code = "import vision.detector, openvino.tools.ovc.telemetry_utils as t; print(t.tm.__name__)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "openvino.tools.ovc.telemetry_stub"
    assert list(tmp_path.iterdir()) == []
