"""A vehicle's running state between batches (vehicle_track_states.facts_json): its last position and the
episodes open then (``Track``, ``Episode``), and their JSON-safe form (``dump_state``, ``load_state``) — what
``city.transport.facts.advance`` moves along."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.transport.geometry import LocalProjection

STATE_VERSION = 1
EPISODE_KIND = {"off_route": "off_route", "stop": "suspected_dumping", "out_of_hours": "out_of_hours",
                 "no_permit": "no_permit"}


class Episode:
    """An open episode: first and last position's times; off_route's farthest distance, a stop's anchor and
    whether it is at a site (``at_site``) — a depot's (``at_depot``: a quiet stop)."""

    __slots__ = ("at_depot", "at_site", "last", "last_ts", "lat", "lon", "max_m", "start", "start_ts", "x", "y")

    def __init__(self, start: datetime, last: datetime) -> None:
        self.start, self.start_ts = start, start.timestamp()
        self.last, self.last_ts = last, last.timestamp()
        self.max_m, self.x, self.y, self.lon, self.lat, self.at_site = 0.0, 0.0, 0.0, 0.0, 0.0, False
        self.at_depot = False

    def seen(self, at: datetime, ts: float) -> None:
        """The episode held until ``at`` (epoch second ``ts``)."""
        self.last, self.last_ts = at, ts


class Track:
    """The state while a batch is applied (times as epoch seconds alongside the datetimes the keys are made of)."""

    __slots__ = ("at", "at_depot", "episodes", "has_permit", "lat", "lon", "moving", "permit_id", "speed", "ts", "x",
                 "y")

    def __init__(self, at: datetime, lon: float, lat: float, xy: tuple[float, float]) -> None:
        self.at, self.ts, self.lon, self.lat = at, at.timestamp(), lon, lat
        self.x, self.y = xy
        self.speed, self.moving, self.has_permit, self.at_depot = 0.0, True, False, False
        self.permit_id: int | None = None
        self.episodes: dict[str, Episode] = {}


def dump_state(track: Track) -> dict[str, Any]:
    """The state as JSON-safe data (vehicle_track_states.facts_json)."""
    episodes: dict[str, Any] = {}
    for name, episode in track.episodes.items():
        item: dict[str, Any] = {"start": episode.start.isoformat(), "last": episode.last.isoformat()}
        if name == "off_route":
            item["max_m"] = round(episode.max_m, 2)
        elif name == "stop":
            item.update(lon=episode.lon, lat=episode.lat, at_site=episode.at_site, at_depot=episode.at_depot)
        episodes[name] = item
    return {"v": STATE_VERSION, "at": track.at.isoformat(), "lon": track.lon, "lat": track.lat,
            "speed_kmh": round(track.speed, 2), "moving": track.moving, "has_permit": track.has_permit,
            "permit_id": track.permit_id, "at_depot": track.at_depot, "episodes": episodes}


def load_state(state: dict[str, Any], projection: LocalProjection) -> Track:
    """The track of a stored state (the inverse of ``_dump``)."""
    lon, lat = float(state["lon"]), float(state["lat"])
    track = Track(datetime.fromisoformat(state["at"]), lon, lat, projection.to_xy(lon, lat))
    track.speed, track.moving = float(state.get("speed_kmh") or 0.0), bool(state.get("moving", True))
    track.has_permit, track.permit_id = bool(state.get("has_permit")), state.get("permit_id")
    track.at_depot = bool(state.get("at_depot"))
    for name, item in (state.get("episodes") or {}).items():
        if name not in EPISODE_KIND:
            continue  # a kind this version does not keep
        episode = track.episodes[name] = Episode(datetime.fromisoformat(item["start"]),
                                                  datetime.fromisoformat(item["last"]))
        episode.max_m = float(item.get("max_m") or 0.0)
        if name == "stop":
            episode.lon, episode.lat = float(item["lon"]), float(item["lat"])
            episode.x, episode.y = projection.to_xy(episode.lon, episode.lat)
            episode.at_site, episode.at_depot = bool(item.get("at_site")), bool(item.get("at_depot"))
    return track
