"""The camera worker: frames → OpenVINO (async queue) → tracker → rules → spooled alerts → the web API.

It never touches the database. A rule hit becomes an alert with an annotated snapshot; the spool
delivers it as a ``video_detection`` message (a new case) or as evidence for the case already open
for the same subtype and zone. Detection records go to ``/vision/detections`` in batches.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vision.annotate import annotate
from vision.cameras import Camera
from vision.client import ApiClient, ApiRefused, ApiUnavailable
from vision.detections import Detection
from vision.detector import Detector
from vision.rules import RuleBook, RuleHit
from vision.sources import Frame, frames
from vision.spool import Alert, Delivery, Spool
from vision.tracker import Track, Tracker

log = logging.getLogger(__name__)
RECORD_BATCH = 500


@dataclass
class WorkerStats:
    """What one run did."""

    frames: int = 0
    detections: int = 0
    alerts: int = 0
    cases: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    pending: int = 0
    records_sent: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"frames": self.frames, "detections": self.detections, "alerts": self.alerts,
                "cases": self.cases, "evidence": self.evidence, "pending": self.pending,
                "records_sent": self.records_sent, "seconds": round(self.seconds, 2),
                "fps": round(self.frames / self.seconds, 1) if self.seconds else 0.0}


def run_key(source: str, started: datetime) -> str:
    """What makes alert ids unique per feed: a file's name and size (the same clip gives the same ids, so a
    second run opens no second case); the start time for a live stream."""
    path = Path(source)
    if "://" not in source and path.is_file():
        return hashlib.sha256(f"{path.name}:{path.stat().st_size}".encode()).hexdigest()[:12]
    return started.strftime("%Y%m%dT%H%M%S")


@dataclass
class CameraRun:
    """One pass over a camera's source."""

    camera: Camera
    detector: Detector | None  # None: detections are fed through observe() (recorded ones, in tests)
    client: ApiClient
    spool: Spool
    rules: RuleBook
    source: str
    repeat: int = 1
    jobs: int = 2
    stats: WorkerStats = field(default_factory=WorkerStats)
    _records: list[dict[str, Any]] = field(default_factory=list)
    _hits: dict[str, tuple[datetime, Detection, RuleHit]] = field(default_factory=dict)  # alert id → its sighting
    alerted_at: dict[str, float] = field(default_factory=dict)  # alert id → when the rule fired (monotonic)
    latencies: dict[str, float] = field(default_factory=dict)  # alert id → seconds from rule hit to case or evidence

    def __post_init__(self) -> None:
        self.started = datetime.now(UTC)
        self.key = run_key(self.source, self.started)
        self.tracker = Tracker(self.camera.zones)
        self.zone = ZoneInfo(self.camera.timezone)

    def run(self) -> WorkerStats:
        """Read the source to its end, then deliver what is left; returns what happened."""
        if self.detector is None:
            raise ValueError("a run without a detector is fed through observe()")
        begin, last_log = time.monotonic(), time.monotonic()
        tagged = ((frame, frame.image) for frame in frames(self.source, self.camera.sample_fps, self.repeat))
        for frame, detections in self.detector.detect_tagged(tagged, self.jobs):
            self.observe(frame, detections)
            if time.monotonic() - last_log >= 10:
                last_log = time.monotonic()
                log.info("%s: %s frames (%.1f fps), %s alerts, %s pending", self.camera.camera_id, self.stats.frames,
                         self.stats.frames / (last_log - begin), self.stats.alerts, len(self.spool.waiting()))
        self.stats.seconds = time.monotonic() - begin
        return self.finish()

    def finish(self) -> WorkerStats:
        """Deliver what is pending and send the remaining records (the end of a pass)."""
        self._deliver()
        self._send_records(final=True)
        self.stats.pending = len(self.spool.waiting())
        return self.stats

    def observe(self, frame: Frame, detections: list[Detection]) -> None:
        """One frame's detections (those under the camera's thresholds are dropped): track, apply the rules,
        spool and deliver alerts, batch the records."""
        detections = [d for d in detections if d.score >= self.camera.threshold(d.class_name)]
        self.stats.frames += 1
        self.stats.detections += len(detections)
        self.tracker.update(frame.seconds, detections)
        observed = self.started + timedelta(seconds=frame.seconds)
        hour = observed.astimezone(self.zone).hour
        hits = self.rules.hits(self.tracker.tracks.values(), self.camera.zones, frame.seconds, hour)
        for index, detection in enumerate(detections):
            self._records.append(self._record(f"{self.key}:{frame.seconds:.2f}:{index}", observed, detection))
        for hit in hits:
            self._alert(hit, frame, detections, observed)
        if hits:
            self._deliver()
        self._send_records()

    def _record(self, record_id: str, observed: datetime, detection: Detection, **extra: Any) -> dict[str, Any]:
        return {"record_id": f"{self.camera.camera_id}:{record_id}"[:200], "camera_id": self.camera.camera_id,
                "observed_at": observed.isoformat(), "class_name": detection.class_name,
                "score": round(detection.score, 4), "x1": detection.x1, "y1": detection.y1, "x2": detection.x2,
                "y2": detection.y2, **extra}

    def _alert(self, hit: RuleHit, frame: Frame, detections: list[Detection], observed: datetime) -> None:
        track = self.tracker.tracks[hit.track_id]
        external_id = f"{self.camera.camera_id}:{hit.zone.zone_id}:{hit.rule_id}:{self.key}:{hit.since:.1f}"
        caption = (f"{self.camera.camera_id} {hit.rule_id} {hit.label} {hit.dwell_seconds:.0f}s "
                   f"{observed.astimezone(self.zone):%Y-%m-%d %H:%M}")
        jpeg = annotate(frame.image, self.camera.zones, detections, track.box, caption)
        image = f"{external_id.replace(':', '_')}.jpg"
        detection = {"camera_id": self.camera.camera_id, "subtype": hit.subtype, "lon": self.camera.lon,
                     "lat": self.camera.lat, "image": image, "confidence": round(track.score, 3),
                     "rule": hit.rule_id, "zone": hit.zone.zone_id,
                     "description": f"{hit.reason}（{self.camera.name}）"}
        self.spool.add(Alert(external_id, self.camera.camera_id, hit.zone.zone_id, hit.subtype, hit.rule_id,
                             detection), jpeg)
        self.stats.alerts += 1
        self._hits[external_id] = (observed, _as_detection(track), hit)
        self.alerted_at[external_id] = time.monotonic()

    def _deliver(self) -> None:
        for delivery in self.spool.deliver(self.client):
            self._delivered(delivery)

    def _delivered(self, delivery: Delivery) -> None:
        (self.stats.cases if delivery.kind == "case" else self.stats.evidence).append(delivery.case_no)
        if delivery.external_id in self.alerted_at:
            self.latencies[delivery.external_id] = time.monotonic() - self.alerted_at.pop(delivery.external_id)
            log.info("%s: alert %s → case %s (%s) in %.0f ms", self.camera.camera_id, delivery.external_id,
                     delivery.case_no, delivery.kind, 1000 * self.latencies[delivery.external_id])
        found = self._hits.pop(delivery.external_id, None)
        if found is not None:  # the alert's own record: what the rule precision is computed from
            observed, detection, hit = found
            self._records.append(self._record(delivery.external_id, observed, detection, track_id=hit.track_id,
                                              zone_id=hit.zone.zone_id, dwell_seconds=hit.dwell_seconds,
                                              rule_id=hit.rule_id, subtype=hit.subtype, case_no=delivery.case_no))

    def _send_records(self, final: bool = False) -> None:
        while self._records and (final or len(self._records) >= RECORD_BATCH):
            batch = self._records[:RECORD_BATCH]
            try:
                self.client.record_detections(batch)
            except ApiUnavailable as exc:  # kept in memory and sent with the next batch
                log.warning("detection records not sent yet (%s kept): %s", len(self._records), exc)
                return
            except ApiRefused as exc:  # a malformed batch will never be taken: drop it, loudly
                log.error("detection records refused, %s dropped: %s", len(batch), exc)
                del self._records[:len(batch)]
                continue
            del self._records[:len(batch)]
            self.stats.records_sent += len(batch)


def _as_detection(track: Track) -> Detection:
    x1, y1, x2, y2 = track.box
    return Detection(track.label, -1, track.score, x1, y1, x2, y2)
