"""Pre- and post-processing around the network: frame -> input tensor, output tensors -> Detections.

numpy and OpenCV only (no OpenVINO), so the decoding is unit-tested on synthetic tensors. The decoder for
a model's outputs is chosen by the manifest's `head`; HEADS maps each name to its class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from vision.detections import Detection
from vision.manifest import InputSpec, ManifestError, ModelManifest


@dataclass(frozen=True)
class FrameMeta:
    """Maps model-input pixels back to the frame: frame = input * (sx, sy), then clipped to width x height."""

    sx: float
    sy: float
    width: int
    height: int


def preprocess(frame_bgr: np.ndarray, spec: InputSpec) -> tuple[np.ndarray, FrameMeta]:
    """A BGR uint8 HxWx3 frame -> float32 input tensor [1, ...] in the spec's layout, and the way back."""
    if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3:
        raise ValueError(f"expected a BGR frame of shape HxWx3, got {frame_bgr.shape}")
    h, w = frame_bgr.shape[:2]
    size = spec.size
    if spec.resize == "letterbox":
        # Aspect kept, image top-left, black padding right/bottom (NanoDet's demo): no offset to undo.
        r = size / max(h, w)
        nw, nh = max(1, round(w * r)), max(1, round(h * r))
        img: np.ndarray = np.zeros((size, size, 3), np.uint8)
        img[:nh, :nw] = cv2.resize(frame_bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
        meta = FrameMeta(1 / r, 1 / r, w, h)
    else:
        # Stretch to a square, as Human/TF.js fed this model; boxes scale back per axis.
        img = cv2.resize(frame_bgr, (size, size), interpolation=cv2.INTER_LINEAR)
        meta = FrameMeta(w / size, h / size, w, h)
    if spec.colour_order == "RGB":
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    x = img.astype(np.float32)
    x -= np.asarray(spec.mean, np.float32)
    x *= 1.0 / np.asarray(spec.std, np.float32)
    x = x.transpose(2, 0, 1)[None] if spec.layout == "NCHW" else x[None]
    return np.ascontiguousarray(x), meta


class Head(Protocol):
    """Turns a model's raw outputs into candidate boxes; one implementation per manifest `head`."""

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        """Output tensor name -> shape the head needs (checked when the model is loaded)."""
        ...

    def candidates(
        self, outputs: Mapping[str, np.ndarray], thresholds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(boxes [N,4] x1,y1,x2,y2 in input pixels, scores [N], class ids [N]) of every class above threshold."""
        ...


class NanoDetGFL:
    """NanoDet's Generalized Focal Loss head: per stride a [cells, classes] score map (sigmoid applied in
    the graph) and a [cells, 4 * bins] distance map laid out as 4 sides (left, top, right, bottom) x bins.

    A side's distance is the softmax expectation over its bins (0 .. bins-1) times the stride, measured
    from the cell centre ((x + 0.5) * stride, (y + 0.5) * stride); cells are flattened row-major.
    """

    def __init__(self, manifest: ModelManifest) -> None:
        if manifest.bins < 2:
            raise ManifestError(f"{manifest.name}: head nanodet_gfl needs bins >= 2, not {manifest.bins}")
        self.manifest = manifest
        self.bins = manifest.bins
        self.n_classes = len(manifest.labels)
        self.project = np.arange(self.bins, dtype=np.float32)
        self.levels: list[tuple[int, str, str, np.ndarray]] = []
        for stride in manifest.strides:
            g = manifest.grid(stride)
            ys, xs = np.divmod(np.arange(g * g, dtype=np.float32), g)
            centres = np.stack([(xs + 0.5) * stride, (ys + 0.5) * stride], 1)
            scores, boxes = manifest.output("scores", stride).name, manifest.output("boxes", stride).name
            self.levels.append((stride, scores, boxes, centres))

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        """Output name -> [1, cells, classes] for scores and [1, cells, 4 * bins] for boxes."""
        shapes: dict[str, tuple[int, ...]] = {}
        for _, scores, boxes, centres in self.levels:
            shapes[scores] = (1, len(centres), self.n_classes)
            shapes[boxes] = (1, len(centres), 4 * self.bins)
        return shapes

    def candidates(
        self, outputs: Mapping[str, np.ndarray], thresholds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (cell, class) whose score passes that class's threshold, with the cell's decoded box."""
        boxes, scores, classes = [], [], []
        for stride, scores_name, boxes_name, centres in self.levels:
            cls = np.asarray(outputs[scores_name]).reshape(-1, self.n_classes)
            hot = cls > thresholds
            cells = np.flatnonzero(hot.any(1))  # few cells pass: decode only those
            if cells.size == 0:
                continue
            dist = self.distances(np.asarray(outputs[boxes_name]).reshape(-1, 4, self.bins)[cells]) * stride
            c = centres[cells]
            b = np.concatenate([c - dist[:, :2], c + dist[:, 2:]], 1)
            ci, k = np.nonzero(hot[cells])  # several classes per cell may pass (multi-label, as NanoDet)
            boxes.append(b[ci])
            scores.append(cls[cells[ci], k])
            classes.append(k)
        if not boxes:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
        return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)

    def distances(self, logits: np.ndarray) -> np.ndarray:
        """[N, 4, bins] bin logits -> [N, 4] expected distances in bins (softmax expectation)."""
        e = np.exp(logits - logits.max(-1, keepdims=True))
        return np.asarray((e * self.project).sum(-1) / e.sum(-1))


# Keep in step with vision.manifest.HEADS, which checks manifests without importing numpy or OpenCV.
HEADS: dict[str, Callable[[ModelManifest], Head]] = {"nanodet_gfl": NanoDetGFL}


class Decoder:
    """Output tensors of one frame -> Detections: the head's candidates, class-aware NMS, the optional
    merge across confusable classes, the best max_detections, boxes mapped back to the frame."""

    def __init__(
        self,
        manifest: ModelManifest,
        thresholds: Mapping[str, float | None] | None = None,
        merge: bool = True,
    ) -> None:
        pp = manifest.postprocess
        self.manifest = manifest
        self.head = HEADS[manifest.head](manifest)
        self.thresholds = class_thresholds(manifest, thresholds)
        index = {name: i for i, name in enumerate(manifest.labels)}
        # Classes of one merge group share a pseudo-class id >= n_classes, so NMS across them is class-agnostic.
        self.merge_ids = np.arange(len(manifest.labels))
        for g, group in enumerate(pp.merge_groups if merge else ()):
            self.merge_ids[[index[name] for name in group]] = len(manifest.labels) + g
        self.merge = merge and bool(pp.merge_groups)

    def __call__(self, outputs: Mapping[str, np.ndarray], meta: FrameMeta) -> list[Detection]:
        """Decode one frame's outputs (name -> array) into detections in frame pixels, best score first."""
        pp = self.manifest.postprocess
        boxes, scores, classes = self.head.candidates(outputs, self.thresholds)
        keep = nms(boxes, scores, classes, pp.nms_iou)
        if self.merge and keep.size:
            pseudo = self.merge_ids[classes[keep]]
            keep = keep[nms(boxes[keep], scores[keep], pseudo, pp.merge_iou)]
        keep = keep[: pp.max_detections]
        b = boxes[keep] * np.array([meta.sx, meta.sy, meta.sx, meta.sy], np.float32)
        b = np.clip(b, 0, [meta.width, meta.height, meta.width, meta.height])  # edges may overshoot by a bin
        labels = self.manifest.labels
        return [
            Detection(labels[k], int(k), float(s), *(float(v) for v in box))
            for box, s, k in zip(b, scores[keep], classes[keep], strict=True)
            if box[2] > box[0] and box[3] > box[1]
        ]


def class_thresholds(manifest: ModelManifest, overrides: Mapping[str, float | None] | None = None) -> np.ndarray:
    """Per-class score thresholds [classes]: the manifest's default, its class_thresholds, then overrides
    (e.g. a camera's); None switches a class off (threshold +inf)."""
    pp = manifest.postprocess
    merged = {**pp.class_thresholds, **(overrides or {})}
    unknown = set(merged) - set(manifest.labels)
    if unknown:
        raise ValueError(f"thresholds for classes the model does not have: {sorted(unknown)}")
    thr = np.full(len(manifest.labels), pp.score_threshold, np.float32)
    for i, name in enumerate(manifest.labels):
        if name in merged:
            thr[i] = np.inf if merged[name] is None else merged[name]
    return thr


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy class-aware non-maximum suppression; kept indices, best score first.

    Boxes of different classes never suppress each other: each class is shifted into its own far-away
    coordinate range, so one vectorised pass handles all classes.
    """
    if boxes.shape[0] == 0:
        return np.zeros(0, np.int64)
    span = float(np.abs(boxes).max()) * 2 + 1
    b = boxes.astype(np.float64) + classes.astype(np.float64)[:, None] * span
    x1, y1, x2, y2 = b.T
    area = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        iw = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        ih = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = iw * ih
        order = rest[inter / (area[i] + area[rest] - inter + 1e-9) <= iou_threshold]
    return np.asarray(keep, np.int64)
