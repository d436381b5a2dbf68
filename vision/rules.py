"""The camera event rules (``rules/vision_events.dmn``): what a tracked object in a zone means.

The decision ``vision_event`` takes (label, zone_type, dwell_seconds, hour) and gives the problem
``subtype`` and a ``reason``; designers edit it in dmn-js like any other DMN. Each (track, zone, rule)
fires once: the same parked van does not raise a new alert every frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import dmn
from dmn.model import Decision
from vision.cameras import Zone
from vision.tracker import Track

DECISION = "vision_event"
DEFAULT_RULES = Path(__file__).resolve().parents[1] / "rules" / "vision_events.dmn"


@dataclass(frozen=True)
class RuleHit:
    """A tracked object that meets a rule in a zone."""

    track_id: int
    label: str
    zone: Zone
    subtype: str
    rule_id: str
    reason: str
    dwell_seconds: float
    since: float  # when the object came to rest in the zone (stream seconds)


def load_rules(path: Path = DEFAULT_RULES) -> dmn.Model:
    """The DMN model holding the ``vision_event`` decision (ValueError naming the file when it has none)."""
    try:
        model = dmn.load(path)
        model.find(DECISION, Decision)
    except ValueError as exc:  # DmnError: unreadable, or no such decision
        raise ValueError(f"{path}: {exc}") from None
    return model


@dataclass
class RuleBook:
    """Evaluates the rules for every track in every zone it stands in; remembers what already fired."""

    table: dmn.Model
    fired: set[tuple[int, str, str]] = field(default_factory=set)  # (track, zone, rule)

    def hits(self, tracks: Iterable[Track], zones: Iterable[Zone], now: float, hour: int) -> list[RuleHit]:
        """New rule hits at ``now`` (stream seconds) and local ``hour``."""
        found = []
        zone_list = list(zones)
        for track in tracks:
            for zone in zone_list:
                since = track.still_since.get(zone.zone_id)
                if since is None:
                    continue
                dwell = now - since[0]
                decided = self.table.evaluate(DECISION, {}, context={"label": track.label, "zone_type": zone.zone_type,
                                                                     "dwell_seconds": dwell, "hour": hour})
                result, matched = decided.to_json(), decided.matched_rules
                if not isinstance(result, dict) or not matched or not result.get("subtype"):
                    continue
                key = (track.track_id, zone.zone_id, matched[0])
                if key in self.fired:
                    continue
                self.fired.add(key)
                found.append(RuleHit(track.track_id, track.label, zone, str(result["subtype"]), matched[0],
                                     str(result.get("reason") or ""), round(dwell, 1), since[0]))
        return found
