"""A simple tracker: detections matched across frames by box overlap (IoU), each track's dwell per zone.

Dwell is how long an object has stood still in a zone: it starts when the object's ground point
(bottom centre of its box) is first inside the zone, and starts again when the object moves more
than a fraction of its own width — a car driving through a no-parking zone never builds up dwell.
The detector may flip between look-alike classes on one object (a van as car or truck), so tracks
match within a class family and keep the label seen most often.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vision.cameras import Zone
from vision.detections import Detection, box_iou

Box = tuple[float, float, float, float]

FAMILIES = {"car": "vehicle", "truck": "vehicle", "bus": "vehicle", "bicycle": "two_wheeler",
            "motorcycle": "two_wheeler", "chair": "furniture", "dining table": "furniture", "bench": "furniture",
            "umbrella": "furniture"}


def ground_point(box: Box) -> tuple[float, float]:
    """Where an object stands: the bottom centre of its box."""
    return (box[0] + box[2]) / 2, box[3]


@dataclass
class Track:
    """One object followed across frames."""

    track_id: int
    family: str
    box: Box
    score: float
    first_seen: float
    last_seen: float
    labels: Counter[str] = field(default_factory=Counter)
    still_since: dict[str, tuple[float, tuple[float, float]]] = field(default_factory=dict)  # zone → (t, anchor)

    @property
    def label(self) -> str:
        """The label the detector gave most often."""
        return self.labels.most_common(1)[0][0]

    def dwell(self, zone_id: str, now: float) -> float:
        """Seconds the object has stood still in the zone (0 when it is not in it)."""
        since = self.still_since.get(zone_id)
        return now - since[0] if since is not None else 0.0


@dataclass
class Tracker:
    """Greedy IoU matching; a track survives ``max_missing`` seconds unseen (people walk in front of cars)."""

    zones: Sequence[Zone]
    min_iou: float = 0.3
    max_missing: float = 5.0
    move_tolerance: float = 0.35  # of the box width: more than this and the dwell starts again
    tracks: dict[int, Track] = field(default_factory=dict)
    _next_id: int = 1

    def update(self, now: float, sightings: Iterable[Detection]) -> list[Track]:
        """Feed one frame's detections at time ``now`` (seconds); returns the tracks seen in this frame."""
        seen: list[Track] = []
        for sighting in sorted(sightings, key=lambda s: -s.score):
            family = FAMILIES.get(sighting.class_name, sighting.class_name)
            track = self._match(family, sighting.box, {t.track_id for t in seen})
            if track is None:
                track = Track(self._next_id, family, sighting.box, sighting.score, now, now)
                self.tracks[track.track_id] = track
                self._next_id += 1
            track.box, track.score, track.last_seen = sighting.box, sighting.score, now
            track.labels[sighting.class_name] += 1
            self._place(track, now)
            seen.append(track)
        for track_id in [t.track_id for t in self.tracks.values() if now - t.last_seen > self.max_missing]:
            del self.tracks[track_id]
        return seen

    def _match(self, family: str, box: Box, taken: set[int]) -> Track | None:
        best, best_iou = None, self.min_iou
        for track in self.tracks.values():
            if track.family != family or track.track_id in taken:
                continue
            overlap = box_iou(track.box, box)
            if overlap >= best_iou:
                best, best_iou = track, overlap
        return best

    def _place(self, track: Track, now: float) -> None:
        point = ground_point(track.box)
        tolerance = self.move_tolerance * max(track.box[2] - track.box[0], 1.0)
        for zone in self.zones:
            if not zone.contains(*point):
                track.still_since.pop(zone.zone_id, None)
                continue
            since = track.still_since.get(zone.zone_id)
            if since is None or _distance(since[1], point) > tolerance:
                track.still_since[zone.zone_id] = (now, point)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)
