"""Object detection with OpenVINO for any model a manifest describes (vision.manifest).

    detector = Detector.from_manifest("var/models/nanodet/model.json")
    detections = detector.detect(frame_bgr)                # synchronous, one frame
    for detections in detector.detect_many(frames):        # AsyncInferQueue, results in frame order
        ...
    detector.timings.per_frame_ms()                         # decode / preprocess / infer / postprocess

The model must have been built at set-up time (`make models`); nothing is downloaded here.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from vision.decode import Decoder, FrameMeta, preprocess
from vision.detections import Detection
from vision.manifest import DEFAULT_MANIFEST, ManifestError, ModelManifest, load_manifest

# `import openvino` starts OpenVINO's opt-out usage telemetry: it writes ~/intel/openvino_ga_cid and tries
# to send an event, on every import. Its converter falls back to a no-op stub when the openvino_telemetry
# package cannot be imported, so make that package unimportable in this process before the first import.
sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]  # None: import fails, on purpose
import openvino as ov  # noqa: E402

T = TypeVar("T")


@dataclass
class Timings:
    """Seconds spent per stage, summed over frames. decode is the time spent waiting for the next frame
    (reading and decoding it from its source); infer is the device time of each request."""

    frames: int = 0
    decode: float = 0.0
    preprocess: float = 0.0
    infer: float = 0.0
    postprocess: float = 0.0
    wall: float = 0.0

    def per_frame_ms(self) -> dict[str, float]:
        """Mean milliseconds per frame for each stage, plus frames and frames per second of wall time."""
        n = max(self.frames, 1)
        stages = {f.name: 1000 * getattr(self, f.name) / n for f in fields(self) if f.name != "frames"}
        return {"frames": self.frames, "fps": self.frames / self.wall if self.wall else 0.0, **stages}


class Detector:
    """A compiled model plus its decoder. detect() is for one caller at a time; detect_many() runs an
    AsyncInferQueue on a second, throughput-tuned compilation of the same model."""

    def __init__(
        self,
        manifest: ModelManifest,
        *,
        device: str = "CPU",
        threads: int | None = None,
        thresholds: Mapping[str, float | None] | None = None,
        merge: bool = True,
        core: ov.Core | None = None,
    ) -> None:
        """threads: CPU threads for detect() (None: the plugin's choice; 1 leaves a core free for a 10 fps
        feed); thresholds: per-class score thresholds over the manifest's (None: class off); merge: apply
        the manifest's merge groups (one box for a vehicle seen as both car and truck)."""
        self.manifest = manifest
        self.device = device
        self.decoder = Decoder(manifest, thresholds, merge)
        self.timings = Timings()
        self._lock = threading.Lock()  # async callbacks add to timings from OpenVINO's threads
        self._core = core or ov.Core()
        if not manifest.model.is_file():
            raise ManifestError(f"model {manifest.model} not found (run `make models`)")
        self._model = self._core.read_model(str(manifest.model))
        self._check_ports()
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self._compiled = self._core.compile_model(self._model, device, config)
        self._request = self._compiled.create_infer_request()
        # A queue lives as long as its detector: with OpenVINO 2026.4 a process that freed a queue's requests
        # while their compiled model lived on could abort at exit ("terminate called without an active exception").
        self._queues: dict[int, ov.AsyncInferQueue] = {}
        self._queue_busy = threading.Lock()

    @classmethod
    def from_manifest(cls, path: str | Path = DEFAULT_MANIFEST, **options: Any) -> Detector:
        """Load the model a manifest file describes; options as for Detector()."""
        return cls(load_manifest(path), **options)

    @property
    def labels(self) -> tuple[str, ...]:
        """The label map: class id -> name."""
        return self.manifest.labels

    def _check_ports(self) -> None:
        """Fail at load time, naming the manifest, when the model does not have the tensors it describes."""
        spec = self.manifest.input
        channels_first = (1, 3, spec.size, spec.size)
        channels_last = (1, spec.size, spec.size, 3)
        want: dict[str, tuple[int, ...]] = {spec.name: channels_first if spec.layout == "NCHW" else channels_last}
        want.update(self.decoder.head.expected_shapes())
        names = {n: port for port in [*self._model.inputs, *self._model.outputs] for n in port.get_names()}
        for name, shape in want.items():
            if name not in names:
                raise ManifestError(f"{self.manifest.name}: the model has no tensor {name!r}")
            actual = names[name].get_partial_shape()
            if actual.is_dynamic or tuple(actual.to_shape()) != shape:
                raise ManifestError(f"{self.manifest.name}: {name} has shape {actual}, the manifest implies {shape}")

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        """Detections in one BGR frame (frame pixels, best score first), synchronously."""
        t0 = time.perf_counter()
        x, meta = preprocess(frame_bgr, self.manifest.input)
        t1 = time.perf_counter()
        self._request.infer({self.manifest.input.name: x})
        t2 = time.perf_counter()
        detections = self.decoder(self._outputs(self._request), meta)
        t3 = time.perf_counter()
        self._add_timings(frames=1, preprocess=t1 - t0, infer=t2 - t1, postprocess=t3 - t2, wall=t3 - t0)
        return detections

    def detect_many(self, frames: Iterable[np.ndarray], jobs: int = 2) -> Iterator[list[Detection]]:
        """Detections for each frame, in frame order, with `jobs` requests in flight (AsyncInferQueue).

        Frames are pulled lazily (a video reader is fine); time spent waiting for one counts as decode.
        """
        for _, detections in self.detect_tagged(((None, f) for f in frames), jobs):
            yield detections

    def detect_tagged(
        self, items: Iterable[tuple[T, np.ndarray]], jobs: int = 2
    ) -> Iterator[tuple[T, list[Detection]]]:
        """Like detect_many for (tag, frame) pairs — a timestamp, a frame number — yielding (tag, detections)."""
        if not self._queue_busy.acquire(blocking=False):
            raise RuntimeError("this detector's async queue is already in use: one Detector per concurrent stream")
        queue = self._queue(jobs)
        results: dict[int, tuple[T, list[Detection] | BaseException]] = {}
        queue.set_callback(self._on_done(results))
        sent = received = 0
        source = iter(items)
        started = time.perf_counter()
        try:
            while True:
                t0 = time.perf_counter()
                item = next(source, None)
                t1 = time.perf_counter()
                if item is None:
                    break
                x, meta = preprocess(item[1], self.manifest.input)
                self._add_timings(decode=t1 - t0, preprocess=time.perf_counter() - t1)
                queue.start_async({self.manifest.input.name: x}, (sent, item[0], meta))  # waits for a free request
                sent += 1
                while received in results:
                    yield _unwrap(results.pop(received))
                    received += 1
            queue.wait_all()
            while received < sent:
                yield _unwrap(results.pop(received))
                received += 1
        finally:
            queue.wait_all()  # never leave requests writing into `results` after the caller stopped
            self._queue_busy.release()
            self._add_timings(wall=time.perf_counter() - started)

    def _on_done(self, results: dict[int, tuple[T, list[Detection] | BaseException]]) -> Any:
        def callback(request: ov.InferRequest, userdata: tuple[int, T, FrameMeta]) -> None:
            # Runs on an OpenVINO thread: decode now, before the request is reused for another frame.
            index, tag, meta = userdata
            t0 = time.perf_counter()
            try:
                outcome: list[Detection] | BaseException = self.decoder(self._outputs(request), meta)
            except BaseException as exc:  # handed to the consumer's thread, raised there
                outcome = exc
            post = time.perf_counter() - t0
            self._add_timings(frames=1, infer=request.latency / 1000, postprocess=post)
            results[index] = (tag, outcome)

        return callback

    def _queue(self, jobs: int) -> ov.AsyncInferQueue:
        """`jobs` requests on the model compiled for throughput, one stream per job (2 cores cap it at 2)."""
        if jobs < 1:
            raise ValueError("jobs must be >= 1")
        if jobs not in self._queues:
            config = {"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": jobs}
            self._queues[jobs] = ov.AsyncInferQueue(self._core.compile_model(self._model, self.device, config), jobs)
        return self._queues[jobs]

    def _outputs(self, request: ov.InferRequest) -> dict[str, np.ndarray]:
        return {spec.name: request.get_tensor(spec.name).data for spec in self.manifest.outputs}

    def _add_timings(self, **seconds: float) -> None:
        with self._lock:
            for name, value in seconds.items():
                setattr(self.timings, name, getattr(self.timings, name) + value)

    def reset_timings(self) -> Timings:
        """Return the timings so far and start counting afresh."""
        with self._lock:
            old, self.timings = self.timings, Timings()
        return old


def _unwrap(result: tuple[T, list[Detection] | BaseException]) -> tuple[T, list[Detection]]:
    tag, outcome = result
    if isinstance(outcome, BaseException):
        raise outcome
    return tag, outcome
