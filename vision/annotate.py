"""The evidence picture: the frame with the camera's zones, every detection, and the object that
triggered the rule drawn in red with its rule and dwell time."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from vision.cameras import Zone
from vision.detections import Detection

ZONE_COLOURS = {"no_parking": (0, 0, 255), "sidewalk": (255, 160, 0), "shop_front": (0, 200, 255),
                "bin_area": (0, 160, 0), "road": (160, 160, 160)}  # BGR
HIT = (0, 0, 255)
OTHER = (0, 220, 0)


def _label(image: np.ndarray, text: str, x: int, y: int, colour: tuple[int, int, int]) -> None:
    (width, height), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
    top = max(y - height - 4, 0)
    cv2.rectangle(image, (x, top), (x + width + 4, top + height + 4), colour, -1)
    cv2.putText(image, text, (x + 2, top + height + 1), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                cv2.LINE_AA)


def annotate(frame: np.ndarray, zones: Iterable[Zone], detections: Iterable[Detection],
             hit_box: tuple[float, float, float, float] | None, caption: str, quality: int = 85) -> bytes:
    """An annotated JPEG of ``frame`` (BGR); the detection at ``hit_box`` is the one the alert is about."""
    image = frame.copy()
    for zone in zones:
        points = np.array([[int(x), int(y)] for x, y in zone.polygon], dtype=np.int32)
        colour = ZONE_COLOURS.get(zone.zone_type, (200, 200, 200))
        cv2.polylines(image, [points], isClosed=True, color=colour, thickness=2)
        _label(image, f"{zone.zone_id} ({zone.zone_type})", int(points[:, 0].min()), int(points[:, 1].min()) + 14,
               colour)
    for detection in detections:
        is_hit = hit_box is not None and detection.iou(hit_box) > 0.5
        colour = HIT if is_hit else OTHER
        x1, y1, x2, y2 = (round(v) for v in detection.box)
        cv2.rectangle(image, (x1, y1), (x2, y2), colour, 3 if is_hit else 1)
        _label(image, f"{detection.class_name} {detection.score:.2f}", x1, y1, colour)
    _label(image, caption, 4, image.shape[0] - 4, (40, 40, 40))
    ok, encoded = cv2.imencode(".jpg", image, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return encoded.tobytes()
