"""What a detector found in one frame: plain values, no OpenVINO, no numpy.

Zone, dwell, rule and evidence code works on these (and on recorded ones) without the model, so this
module must stay importable where OpenVINO is not installed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Detection:
    """One object: its class (name and the model's id), score and box in the frame's pixels.

    The box is (x1, y1) top-left to (x2, y2) bottom-right, x1 <= x2 and y1 <= y2, clipped to the frame.
    """

    class_name: str
    class_id: int
    score: float
    x1: float
    y1: float
    x2: float
    y2: float

    def __post_init__(self) -> None:
        if self.x2 < self.x1 or self.y2 < self.y1:
            raise ValueError(f"box corners out of order: ({self.x1}, {self.y1})-({self.x2}, {self.y2})")

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x1, y1, x2, y2) in frame pixels."""
        return (self.x1, self.y1, self.x2, self.y2)

    @property
    def width(self) -> float:
        """Box width in pixels."""
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        """Box height in pixels."""
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        """Box area in square pixels."""
        return self.width * self.height

    @property
    def centre(self) -> tuple[float, float]:
        """Box centre (x, y)."""
        return ((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)

    @property
    def foot(self) -> tuple[float, float]:
        """Bottom-centre point: where a person or vehicle touches the ground, for zone membership."""
        return ((self.x1 + self.x2) / 2, self.y2)

    def iou(self, other: Detection | tuple[float, float, float, float]) -> float:
        """Intersection over union of the two boxes (0 when they do not overlap)."""
        return box_iou(self.box, other.box if isinstance(other, Detection) else other)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (for detection logs and the API)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Detection:
        """Inverse of to_dict (recorded detections replayed in tests and analysis)."""
        return cls(
            class_name=str(data["class_name"]),
            class_id=int(data["class_id"]),
            score=float(data["score"]),
            x1=float(data["x1"]),
            y1=float(data["y1"]),
            x2=float(data["x2"]),
            y2=float(data["y2"]),
        )


def box_iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two (x1, y1, x2, y2) boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
