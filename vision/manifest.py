"""The model manifest (model.json): everything the detector needs to run a model, as configuration.

A city-specific model (say one trained on overflowing bins) drops in by writing such a file: where the
OpenVINO IR is, how to feed it (input name, layout, size, colour order, mean/std, resize mode), which
decoder reads its outputs (`head`), the label map and the post-processing thresholds. No OpenVINO here:
`vision.model_build` writes manifests and tests read them without loading a model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MANIFEST = ROOT / "var" / "models" / "nanodet" / "model.json"
FORMAT = "gridcase-model/1"

HEADS = ("nanodet_gfl",)  # decoders vision.decode knows; add a head there and here
LAYOUTS = ("NCHW", "NHWC")
COLOUR_ORDERS = ("BGR", "RGB")
RESIZE_MODES = ("stretch", "letterbox")
_KNOWN_KEYS = {"format", "name", "model", "head", "input", "outputs", "strides", "bins", "labels", "postprocess"}


class ManifestError(ValueError):
    """The manifest is missing, unreadable or inconsistent (the message names the file and the field)."""


@dataclass(frozen=True)
class OutputSpec:
    """One model output: its tensor name, what it holds (e.g. 'scores', 'boxes') and its stride in pixels."""

    name: str
    kind: str
    stride: int


@dataclass(frozen=True)
class InputSpec:
    """How a BGR frame becomes the model's input tensor."""

    name: str
    layout: str
    size: int
    colour_order: str
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    resize: str


@dataclass(frozen=True)
class PostprocessSpec:
    """Thresholds and suppression: class_thresholds override score_threshold per label (None: class off)."""

    score_threshold: float = 0.35
    class_thresholds: dict[str, float | None] = field(default_factory=dict)
    nms_iou: float = 0.6
    max_detections: int = 100
    merge_groups: tuple[tuple[str, ...], ...] = ()  # classes one object may be confused between (car/truck/bus)
    merge_iou: float = 0.6


@dataclass(frozen=True)
class ModelManifest:
    """A parsed model.json; `model` is resolved against the manifest's folder, `extra` keeps the rest."""

    name: str
    model: Path
    head: str
    input: InputSpec
    outputs: tuple[OutputSpec, ...]
    bins: int
    labels: tuple[str, ...]
    postprocess: PostprocessSpec
    extra: dict[str, Any] = field(default_factory=dict)  # licence, attribution, source, file checksums

    @property
    def strides(self) -> tuple[int, ...]:
        """The distinct output strides, smallest first."""
        return tuple(sorted({o.stride for o in self.outputs}))

    def grid(self, stride: int) -> int:
        """Cells per side at this stride (the head's feature map is grid x grid)."""
        return math.ceil(self.input.size / stride)

    def output(self, kind: str, stride: int) -> OutputSpec:
        """The output of this kind at this stride."""
        for spec in self.outputs:
            if spec.kind == kind and spec.stride == stride:
                return spec
        raise ManifestError(f"{self.name}: no '{kind}' output at stride {stride}")

    def to_dict(self, base_dir: Path | None = None) -> dict[str, Any]:
        """The JSON document; the model path is written relative to base_dir when it lies below it."""
        model = self.model
        if base_dir is not None and model.is_relative_to(base_dir):
            model = model.relative_to(base_dir)
        pp = self.postprocess
        return {
            "format": FORMAT,
            "name": self.name,
            "model": str(model),
            "head": self.head,
            "input": {**self.input.__dict__, "mean": list(self.input.mean), "std": list(self.input.std)},
            "outputs": [o.__dict__.copy() for o in self.outputs],
            "strides": list(self.strides),
            "bins": self.bins,
            "labels": list(self.labels),
            "postprocess": {**pp.__dict__, "merge_groups": [list(g) for g in pp.merge_groups]},
            **self.extra,
        }


def load_manifest(path: str | Path) -> ModelManifest:
    """Read and check a model.json; raises ManifestError naming what is wrong."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"model manifest {path} not found (run `make models`)") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"model manifest {path} unreadable: {exc}") from exc
    try:
        return parse_manifest(doc, path.resolve().parent)
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(f"model manifest {path}: {exc}") from exc


def write_manifest(manifest: ModelManifest, path: str | Path) -> None:
    """Write the manifest atomically (a reader never sees half a file)."""
    path = Path(path)
    tmp = path.with_suffix(".json.tmp")
    text = json.dumps(manifest.to_dict(path.resolve().parent), indent=2, ensure_ascii=False)
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)


def parse_manifest(doc: dict[str, Any], base_dir: Path) -> ModelManifest:
    """Build a ModelManifest from a JSON document whose relative paths start at base_dir."""
    if doc.get("format") != FORMAT:
        raise ManifestError(f"format must be {FORMAT!r}, not {doc.get('format')!r}")
    head = _choice(doc["head"], HEADS, "head")
    labels = tuple(str(x) for x in doc["labels"])
    if not labels or len(set(labels)) != len(labels):
        raise ManifestError("labels must be a non-empty list of distinct names")
    outputs = tuple(OutputSpec(str(o["name"]), str(o["kind"]), int(o["stride"])) for o in doc["outputs"])
    manifest = ModelManifest(
        name=str(doc["name"]),
        model=(base_dir / doc["model"]).resolve(),
        head=head,
        input=_parse_input(doc["input"]),
        outputs=outputs,
        bins=int(doc.get("bins", 0)),
        labels=labels,
        postprocess=_parse_postprocess(doc.get("postprocess", {}), labels),
        extra={k: v for k, v in doc.items() if k not in _KNOWN_KEYS},
    )
    if "strides" in doc and tuple(doc["strides"]) != manifest.strides:
        raise ManifestError(f"strides {doc['strides']} disagree with the outputs' strides {list(manifest.strides)}")
    return manifest


def _parse_input(d: dict[str, Any]) -> InputSpec:
    mean, std = tuple(float(x) for x in d["mean"]), tuple(float(x) for x in d["std"])
    if len(mean) != 3 or len(std) != 3 or min(std) <= 0:
        raise ManifestError("input.mean and input.std need three values each (std > 0)")
    return InputSpec(
        name=str(d["name"]),
        layout=_choice(d.get("layout", "NCHW"), LAYOUTS, "input.layout"),
        size=int(d["size"]),
        colour_order=_choice(d.get("colour_order", "BGR"), COLOUR_ORDERS, "input.colour_order"),
        mean=mean,  # length checked above
        std=std,
        resize=_choice(d.get("resize", "stretch"), RESIZE_MODES, "input.resize"),
    )


def _parse_postprocess(d: dict[str, Any], labels: tuple[str, ...]) -> PostprocessSpec:
    class_thresholds = {str(k): None if v is None else float(v) for k, v in d.get("class_thresholds", {}).items()}
    groups = tuple(tuple(str(x) for x in g) for g in d.get("merge_groups", []))
    unknown = (set(class_thresholds) | {x for g in groups for x in g}) - set(labels)
    if unknown:
        raise ManifestError(f"postprocess names classes not in labels: {sorted(unknown)}")
    return PostprocessSpec(
        score_threshold=float(d.get("score_threshold", 0.35)),
        class_thresholds=class_thresholds,
        nms_iou=float(d.get("nms_iou", 0.6)),
        max_detections=int(d.get("max_detections", 100)),
        merge_groups=groups,
        merge_iou=float(d.get("merge_iou", 0.6)),
    )


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ManifestError(f"{what} must be one of {list(allowed)}, not {value!r}")
    return str(value)
