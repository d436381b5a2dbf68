"""A vehicle's running facts from its GPS positions (渣土车轨迹事实): what the geofence rules
(rules/gps_violation.dmn) decide on.

``advance`` moves a vehicle's state over a batch of its positions and returns checkpoints: one when an episode
ends (with the episode's final figures, at its last position) and one at the end of the batch while an episode is
open. Episodes, each keyed by its start (the alert key): an off-corridor spell (``off_route``), a stop
(``suspected_dumping``), moving outside the permitted hours (``out_of_hours``) and moving without a valid permit
(``no_permit``); ``silent_checkpoint`` adds ``silent`` for the scheduler. A truck inside its corridor in its hours
opens nothing and makes no checkpoint: it costs no rule evaluation.

Durations run from an episode's first position to its last one (a fact claims what positions show: a gap after
the last one is not counted). A stop: within STOP_RADIUS_M of where it began, speed (when given) below
STOP_SPEED_KMH; without speeds, a position within the radius of the previous one began the stop there. A moving
spell (out of hours, unpermitted) ends when the vehicle is back in its hours (or permitted), has stopped for more
than SPELL_BREAK_S, was silent for more than GAP_BREAK_S, or entered its company's depot. Being inside a permit's
site counts as inside its corridor. With several valid permits, their corridors, sites and hours are one union. A
stop is at a site inside any site of the company's permits whatever their validity (``SiteArea``: waiting at its
own construction site before the permit begins is not dumping) or its depot; off the corridor is as the valid
permits say.

A company's depots (停车场, ``DepotArea``) are its trucks' home: inside one is inside the corridor (``at_depot``),
moving there is no driving out of hours or unpermitted (it opens no spell), and a stop there is at a site — and,
the truck being home, a quiet one: it makes no checkpoint, so a night parked in the yard costs no rule evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, NamedTuple

from shapely.geometry import Point

from city.transport.geometry import DepotArea, LocalProjection, PermitArea, SiteArea
from city.transport.track_state import EPISODE_KIND, Episode, Track, dump_state, load_state

STOP_RADIUS_M = 30.0
STOP_SPEED_KMH = 3.0
SPELL_BREAK_S = 300.0  # a stop this long ends a moving spell: a parked truck is not driving out of hours
GAP_BREAK_S = 900.0  # a silence this long ends a moving spell: nothing says it kept moving
KINDS = ("off_route", "suspected_dumping", "out_of_hours", "no_permit", "silent")


class Position(NamedTuple):
    """One GPS position of a vehicle (``recorded_at`` aware, UTC)."""

    recorded_at: datetime
    lon: float
    lat: float
    speed_kmh: float | None = None


@dataclass(frozen=True)
class Checkpoint:
    """The facts at ``at`` (where the vehicle was then: ``lon``, ``lat``; the permit it was nearest to) and the
    start of each episode open then, by kind — what the rules are evaluated on."""

    at: datetime
    lon: float
    lat: float
    permit_id: int | None
    facts: dict[str, Any]
    episodes: dict[str, datetime]


class _Seen:
    """What one position shows against the permits and the company's depots."""

    __slots__ = ("at_depot", "depots", "has_permit", "in_hours", "inside", "outside_m", "permit_id", "sites", "valid")

    def __init__(self, depots: Sequence[DepotArea], sites: Sequence[SiteArea]) -> None:
        self.has_permit, self.inside, self.in_hours, self.at_depot = False, True, True, False
        self.permit_id: int | None = None
        self.outside_m = 0.0
        self.valid: list[PermitArea] = []
        self.depots = depots
        self.sites = sites  # the company's permits' sites, whatever their validity: a stop there is at a site


def advance(state: dict[str, Any] | None, areas: Sequence[PermitArea], positions: Iterable[Position], zone: tzinfo,
            projection: LocalProjection) -> tuple[dict[str, Any] | None, list[Checkpoint]]:
    """The vehicle's state after ``positions`` and the checkpoints they make (see the module docstring).
    Positions at or before the state's last time are ignored: a batch sent again, or late positions, leave the
    state as it was and make no checkpoint."""
    track = load_state(state, projection) if state else None
    checkpoints: list[Checkpoint] = []
    moved = False
    depots = [area for area in areas if isinstance(area, DepotArea)]
    sites = [area for area in areas if isinstance(area, SiteArea)]
    permits = [area for area in areas if not isinstance(area, DepotArea | SiteArea)] if depots or sites else areas
    for position in sorted(positions, key=_time):
        at = position.recorded_at if position.recorded_at.tzinfo is UTC else position.recorded_at.astimezone(UTC)
        ts = at.timestamp()
        if track is not None and ts <= track.ts:
            continue
        x, y = projection.to_xy(position.lon, position.lat)
        seen = _see(permits, depots, sites, at, ts, x, y, zone)
        if track is None:
            track = Track(at, position.lon, position.lat, (x, y))
            track.speed = position.speed_kmh or 0.0
        else:
            _step(track, seen, at, ts, x, y, position.speed_kmh, checkpoints)
        _open(track, seen, position, at, ts, x, y)
        track.at, track.ts, track.lon, track.lat, track.x, track.y = at, ts, position.lon, position.lat, x, y
        track.has_permit, track.permit_id, track.at_depot = seen.has_permit, seen.permit_id, seen.at_depot
        moved = True
    if track is None or not moved:
        return state, []
    if _watched(track.episodes):
        checkpoints.append(_checkpoint(track))
    return dump_state(track), checkpoints


def _time(position: Position) -> datetime:
    return position.recorded_at


def _watched(episodes: dict[str, Episode]) -> bool:
    """Whether an open episode is one the rules watch: any but a stop at the company's depot."""
    return any(name != "stop" or not episode.at_depot for name, episode in episodes.items())


def _see(areas: Sequence[PermitArea], depots: Sequence[DepotArea], sites: Sequence[SiteArea], at: datetime,
         ts: float, x: float, y: float, zone: tzinfo) -> _Seen:
    """The position against the permits valid at its time (the union of their corridors, sites and hours) and
    the company's depots (inside one is inside the corridor)."""
    seen = _Seen(depots, sites)
    seen.at_depot = any(depot.contains(x, y) for depot in depots)
    valid = seen.valid = [area for area in areas if area.from_ts <= ts < area.to_ts]
    if not valid:
        seen.inside, seen.in_hours = False, False
        return seen
    seen.has_permit = True
    if not any(area.any_hour for area in valid):
        local = at.astimezone(zone)
        minute = local.hour * 60 + local.minute
        seen.in_hours = any(area.in_hours(minute) for area in valid)
    for area in valid:
        if area.in_corridor(x, y):
            seen.permit_id = area.permit_id
            return seen
    for area in valid:
        if area.at_site(x, y):
            seen.permit_id = area.permit_id
            return seen
    if seen.at_depot:
        seen.permit_id = valid[0].permit_id
        return seen
    point = Point(x, y)
    seen.inside = False
    seen.outside_m, nearest = min((area.metres_outside(point), index) for index, area in enumerate(valid))
    seen.permit_id = valid[nearest].permit_id
    return seen


def _step(track: Track, seen: _Seen, at: datetime, ts: float, x: float, y: float, speed: float | None,
          checkpoints: list[Checkpoint]) -> None:
    """Close the episodes this position ends — first a checkpoint of their final figures, at the last position
    they held — and begin a stop at the previous position when, without speeds, the truck has not left it."""
    episodes = track.episodes
    ended = []
    if "off_route" in episodes and (not seen.has_permit or seen.inside):
        ended.append("off_route")
    stop = episodes.get("stop")
    if stop is not None and not _stays(stop, x, y, speed):
        ended.append("stop")
    stopped_long = stop is not None and "stop" not in ended and ts - stop.start_ts > SPELL_BREAK_S
    broken = stopped_long or ts - track.ts > GAP_BREAK_S
    if "out_of_hours" in episodes and (broken or not seen.has_permit or seen.in_hours or seen.at_depot):
        ended.append("out_of_hours")
    if "no_permit" in episodes and (broken or seen.has_permit or seen.at_depot):
        ended.append("no_permit")
    if ended and _watched({name: episodes[name] for name in ended}):  # a depot stop ending is no news
        checkpoints.append(_checkpoint(track))
    for name in ended:
        del episodes[name]
    dx, dy = x - track.x, y - track.y
    track.speed = speed if speed is not None else math.hypot(dx, dy) / (ts - track.ts) * 3.6
    if "stop" not in episodes and "stop" not in ended and speed is None and math.hypot(dx, dy) < STOP_RADIUS_M:
        _begin_stop(track, seen, track.at, track.x, track.y, track.lon, track.lat)  # it stood still since then


def _stays(stop: Episode, x: float, y: float, speed: float | None) -> bool:
    return (speed is None or speed < STOP_SPEED_KMH) and math.hypot(x - stop.x, y - stop.y) <= STOP_RADIUS_M


def _begin_stop(track: Track, seen: _Seen, at: datetime, x: float, y: float, lon: float, lat: float) -> None:
    stop = track.episodes["stop"] = Episode(at, at)
    stop.x, stop.y, stop.lon, stop.lat = x, y, lon, lat
    stop.at_depot = any(depot.contains(x, y) for depot in seen.depots)
    stop.at_site = (stop.at_depot or any(area.at_site(x, y) for area in seen.valid)
                    or any(area.at_site(x, y) for area in seen.sites))


def _open(track: Track, seen: _Seen, position: Position, at: datetime, ts: float, x: float, y: float) -> None:
    """Open or extend the episodes this position is part of."""
    episodes = track.episodes
    speed = position.speed_kmh
    if "stop" not in episodes and speed is not None and speed < STOP_SPEED_KMH:
        _begin_stop(track, seen, at, x, y, position.lon, position.lat)
    if "stop" in episodes:
        episodes["stop"].seen(at, ts)
    track.moving = "stop" not in episodes
    if seen.has_permit and not seen.inside:
        spell = episodes.get("off_route") or Episode(at, at)
        episodes["off_route"] = spell
        spell.seen(at, ts)
        spell.max_m = max(spell.max_m, seen.outside_m)
    if track.moving and not seen.at_depot:  # moving about its yard is not driving
        name = "no_permit" if not seen.has_permit else "out_of_hours" if not seen.in_hours else None
        if name is not None:
            spell = episodes.get(name) or Episode(at, at)
            episodes[name] = spell
            spell.seen(at, ts)


def _checkpoint(track: Track) -> Checkpoint:
    """The facts at the track's last position."""
    episodes = track.episodes
    off, stop = episodes.get("off_route"), episodes.get("stop")
    facts = {
        "has_permit": track.has_permit, "moving": track.moving, "speed_kmh": round(track.speed, 1),
        "off_corridor_seconds": round(off.last_ts - off.start_ts, 1) if off else 0.0,
        "off_corridor_max_m": round(off.max_m, 1) if off else 0.0,
        "stop_minutes": _minutes(stop), "stop_at_site": bool(stop and stop.at_site),
        "out_of_hours_minutes": _minutes(episodes.get("out_of_hours")),
        "unpermitted_minutes": _minutes(episodes.get("no_permit")), "silent_minutes": 0.0,
        "at_depot": track.at_depot,
    }
    return Checkpoint(track.at, track.lon, track.lat, track.permit_id, facts,
                      {EPISODE_KIND[name]: episode.start for name, episode in episodes.items()})


def _minutes(episode: Episode | None) -> float:
    return 0.0 if episode is None else round((episode.last_ts - episode.start_ts) / 60, 2)


def silent_checkpoint(state: dict[str, Any] | None, areas: Sequence[PermitArea], now: datetime,
                      zone: tzinfo) -> Checkpoint | None:
    """The facts of a vehicle that has sent nothing since its state's last position, at ``now``: None unless it
    should be reporting — a permit valid now and inside its hours (a truck parked for the night is not silent)."""
    if not state:
        return None
    ts = now.timestamp()
    valid = [area for area in areas if area.valid_at(ts)]  # never a depot: it permits nothing
    local = now.astimezone(zone)
    if not any(area.in_hours(local.hour * 60 + local.minute) for area in valid):
        return None
    last_at = datetime.fromisoformat(state["at"])
    facts = {"has_permit": True, "moving": bool(state.get("moving")), "speed_kmh": float(state.get("speed_kmh") or 0),
             "off_corridor_seconds": 0.0, "off_corridor_max_m": 0.0, "stop_minutes": 0.0, "stop_at_site": False,
             "out_of_hours_minutes": 0.0, "unpermitted_minutes": 0.0, "at_depot": bool(state.get("at_depot")),
             "silent_minutes": round(max(0.0, ts - last_at.timestamp()) / 60, 2)}
    permit_ids = [area.permit_id for area in valid]
    permit_id = state.get("permit_id") if state.get("permit_id") in permit_ids else permit_ids[0]
    return Checkpoint(now, float(state["lon"]), float(state["lat"]), permit_id, facts, {"silent": last_at})
