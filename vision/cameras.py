"""Camera configuration (``config/cameras/*.yaml``): where a camera is, what it watches, and its zones.

A zone is a polygon in image coordinates with a type the rules understand (sidewalk, shop_front,
no_parking, bin_area, road). Thresholds are per detected class (COCO names), falling back to
``default``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ZONE_TYPES = ("sidewalk", "shop_front", "no_parking", "bin_area", "road")


class CameraConfigError(ValueError):
    """A camera file gridcase cannot use; the message names the file and the field."""


@dataclass(frozen=True)
class Zone:
    """A watched area of the image."""

    zone_id: str
    zone_type: str
    polygon: tuple[tuple[float, float], ...]

    def contains(self, x: float, y: float) -> bool:
        """Ray casting: is the image point (x, y) inside the polygon?"""
        inside = False
        points = self.polygon
        j = len(points) - 1
        for i, (xi, yi) in enumerate(points):
            xj, yj = points[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
        return inside


@dataclass(frozen=True)
class Camera:
    """One camera: id, place (→ unit grid through the city lookup), source and what to watch."""

    camera_id: str
    name: str
    lon: float
    lat: float
    source: str
    sample_fps: float = 2.0
    zones: tuple[Zone, ...] = ()
    thresholds: dict[str, float] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"
    repeat: int = 1  # a file source is played this many times (a short sample clip standing in for a feed)

    def threshold(self, label: str) -> float:
        """The minimum score for ``label`` on this camera."""
        return self.thresholds.get(label, self.thresholds.get("default", 0.4))


def _need(raw: dict[str, Any], key: str, where: str) -> Any:
    if key not in raw:
        raise CameraConfigError(f"{where}: {key} is missing")
    return raw[key]


def _zone(raw: Any, where: str) -> Zone:
    if not isinstance(raw, dict):
        raise CameraConfigError(f"{where}: a zone must be a mapping")
    zone_type = _need(raw, "type", where)
    if zone_type not in ZONE_TYPES:
        raise CameraConfigError(f"{where}: type {zone_type!r} is not one of {', '.join(ZONE_TYPES)}")
    points = _need(raw, "polygon", where)
    try:
        polygon = tuple((float(x), float(y)) for x, y in points)
    except (TypeError, ValueError):
        raise CameraConfigError(f"{where}: polygon must be a list of [x, y] points") from None
    if len(polygon) < 3:
        raise CameraConfigError(f"{where}: polygon needs at least 3 points")
    return Zone(str(_need(raw, "id", where)), zone_type, polygon)


def parse_camera(raw: Any, where: str, base: Path | None = None) -> Camera:
    """A camera from its parsed YAML; ``base`` resolves a relative file source."""
    if not isinstance(raw, dict):
        raise CameraConfigError(f"{where}: the file must hold a mapping")
    location = _need(raw, "location", where)
    try:
        lon, lat = float(location["lon"]), float(location["lat"])
        sample_fps = float(raw.get("sample_fps", 2.0))
        repeat = int(raw.get("repeat", 1))
        thresholds = {str(k): float(v) for k, v in (raw.get("thresholds") or {}).items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise CameraConfigError(f"{where}: location (lon, lat), sample_fps, repeat and thresholds must be numbers: "
                                f"{exc}") from None
    if sample_fps <= 0:
        raise CameraConfigError(f"{where}: sample_fps must be positive")
    source = str(_need(raw, "source", where))
    if base is not None and "://" not in source and not Path(source).is_absolute():
        source = str((base / source).resolve())
    zones = tuple(_zone(z, f"{where}: zones[{i}]") for i, z in enumerate(raw.get("zones") or []))
    if repeat < 1:
        raise CameraConfigError(f"{where}: repeat must be at least 1")
    return Camera(str(_need(raw, "id", where)), str(raw.get("name", raw["id"])), lon, lat, source, sample_fps,
                  zones, thresholds, str(raw.get("timezone", "Asia/Shanghai")), repeat)


def load_camera(path: Path, root: Path | None = None) -> Camera:
    """Read one camera file; relative sources are relative to ``root`` (default: the project)."""
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CameraConfigError(f"{path}: {exc}") from None
    return parse_camera(raw, str(path), root or Path(__file__).resolve().parents[1])


def find_camera(folder: Path, camera_id: str) -> Camera:
    """The camera with this id among ``folder/*.yaml``."""
    for path in sorted(folder.glob("*.yaml")):
        camera = load_camera(path)
        if camera.camera_id == camera_id:
            return camera
    known = ", ".join(load_camera(p).camera_id for p in sorted(folder.glob("*.yaml"))) or "none"
    raise CameraConfigError(f"no camera {camera_id!r} in {folder} (known: {known})")
