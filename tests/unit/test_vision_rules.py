"""Camera zones, the tracker's dwell and the vision rules, on recorded detections (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vision.cameras import CameraConfigError, Zone, load_camera, parse_camera
from vision.detections import Detection
from vision.rules import RuleBook, load_rules
from vision.tracker import Tracker

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "fixtures" / "vision" / "vtest_detections.json"
DEMO = load_camera(ROOT / "config" / "cameras" / "demo_street.yaml")
SQUARE = Zone("z", "no_parking", ((0, 0), (100, 0), (100, 100), (0, 100)))


def seen(label: str, x1: float, y1: float, x2: float, y2: float, score: float = 0.8) -> Detection:
    return Detection(label, -1, score, x1, y1, x2, y2)


def recorded_passes(passes: int = 2) -> list[tuple[float, list[Detection]]]:
    """The demo clip's recorded detections, played ``passes`` times with the time running on."""
    frames = json.loads(RECORDED.read_text("utf-8"))["frames"]
    length = frames[-1][0] + 0.5
    return [(seconds + n * length, [seen(c, x1, y1, x2, y2, s) for c, s, x1, y1, x2, y2 in found])
            for n in range(passes) for seconds, found in frames]


def test_a_zone_contains_points_inside_its_polygon_only() -> None:
    triangle = Zone("t", "road", ((0, 0), (10, 0), (0, 10)))
    assert triangle.contains(2, 2) and not triangle.contains(8, 8) and not triangle.contains(-1, 1)


def test_dwell_grows_while_still_and_starts_again_when_the_object_moves() -> None:
    tracker = Tracker([SQUARE])
    for t in range(0, 60, 10):
        (track,) = tracker.update(t, [seen("car", 20, 40, 60, 80)])
    assert track.dwell("z", 50) == 50
    (moved,) = tracker.update(60, [seen("car", 32, 40, 72, 80)])  # 12 px of a 40 px car: still parked
    assert moved.track_id == track.track_id and moved.dwell("z", 60) == 60
    tracker.update(70, [seen("car", 45, 40, 85, 80)])  # drove on by 13 px more (25 from where it stopped)
    assert track.dwell("z", 70) == 0


def test_a_van_seen_as_car_or_truck_stays_one_track_and_survives_being_hidden_briefly() -> None:
    tracker = Tracker([SQUARE])
    first = tracker.update(0, [seen("truck", 20, 40, 60, 80)])[0]
    assert tracker.update(1, [seen("car", 21, 40, 61, 80)])[0].track_id == first.track_id
    tracker.update(4, [])  # a pedestrian walked in front
    assert tracker.update(5, [seen("truck", 20, 40, 60, 80)])[0].track_id == first.track_id
    assert first.label == "truck" and first.dwell("z", 5) == 5
    tracker.update(11, [])
    assert tracker.tracks == {}  # gone longer than max_missing


def test_leaving_the_zone_ends_the_dwell() -> None:
    tracker = Tracker([SQUARE])
    tracker.update(0, [seen("car", 20, 40, 60, 80)])
    (track,) = tracker.update(10, [seen("car", 20, 100, 60, 140)])  # a new track: no overlap
    assert track.dwell("z", 10) == 0


def test_the_recorded_clip_raises_exactly_one_illegal_parking_alert_for_the_van() -> None:
    tracker, book = Tracker(DEMO.zones), RuleBook(load_rules())
    hits = []
    for seconds, detections in recorded_passes():
        tracker.update(seconds, [d for d in detections if d.score >= DEMO.threshold(d.class_name)])
        hits += book.hits(tracker.tracks.values(), DEMO.zones, seconds, hour=10)
    (hit,) = hits
    assert (hit.rule_id, hit.subtype, hit.label, hit.zone.zone_id) == ("v_parking", "1004", "truck",
                                                                       "no_parking_top_right")
    assert 120 <= hit.dwell_seconds < 121 and hit.since == 0


def test_one_pass_of_the_clip_is_too_short_for_the_parking_rule() -> None:
    tracker, book = Tracker(DEMO.zones), RuleBook(load_rules())
    for seconds, detections in recorded_passes(1):
        tracker.update(seconds, detections)
        assert book.hits(tracker.tracks.values(), DEMO.zones, seconds, hour=10) == []


@pytest.mark.parametrize(("label", "zone_type", "dwell", "hour", "rule"), [
    ("car", "no_parking", 119, 10, None), ("car", "no_parking", 120, 3, "v_parking"),
    ("bus", "road", 600, 10, None), ("chair", "sidewalk", 300, 12, "v_shop_front"),
    ("umbrella", "shop_front", 400, 23, None), ("dining table", "road", 300, 23, "v_vending_road"),
    ("bicycle", "sidewalk", 180, 9, "v_bikes"), ("motorcycle", "sidewalk", 100, 9, None),
    ("person", "sidewalk", 9999, 9, None),
])
def test_the_rule_table(label: str, zone_type: str, dwell: float, hour: int, rule: str | None) -> None:
    zone = Zone("z", zone_type, SQUARE.polygon)
    tracker, book = Tracker([zone]), RuleBook(load_rules())
    for t in [*range(0, int(dwell), 5), dwell]:
        tracker.update(t, [seen(label, 20, 40, 60, 80)])
    hits = book.hits(tracker.tracks.values(), [zone], dwell, hour)
    assert [h.rule_id for h in hits] == ([rule] if rule else [])
    if rule:
        tracker.update(dwell + 5, [seen(label, 20, 40, 60, 80)])
        assert book.hits(tracker.tracks.values(), [zone], dwell + 5, hour) == []  # each hit once


@pytest.mark.parametrize(("raw", "message"), [
    ({"id": "c", "source": "x.avi"}, "location is missing"),
    ({"id": "c", "source": "x.avi", "location": {"lon": "e", "lat": 1}}, "must be numbers"),
    ({"id": "c", "source": "x.avi", "location": {"lon": 1, "lat": 1}, "zones": [{"id": "z", "type": "lawn",
                                                                                 "polygon": [[0, 0]]}]},
     "zones[0]: type 'lawn'"),
    ({"id": "c", "source": "x.avi", "location": {"lon": 1, "lat": 1}, "zones": [{"id": "z", "type": "road",
                                                                                 "polygon": [[0, 0], [1, 1]]}]},
     "at least 3 points"),
    ({"id": "c", "source": "x.avi", "location": {"lon": 1, "lat": 1}, "sample_fps": 0}, "sample_fps must be positive"),
])
def test_a_bad_camera_file_is_refused_naming_the_field(raw: dict[str, object], message: str) -> None:
    with pytest.raises(CameraConfigError, match=r"cam\.yaml") as refused:
        parse_camera(raw, "cam.yaml")
    assert message in str(refused.value)
