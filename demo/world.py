"""The demo city as the simulation sees it: where problems are, what they are, and who works them."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import shapely.geometry

from city.persistence.read.routing import in_service_components
from engine.domain.errors import InvalidCommand
from engine.persistence.read import city
from engine.service.deps import Deps

# Events are reported far more often than broken components; these are the everyday ones.
COMMON = {"0601": 8.0, "0602": 5.0, "1001": 5.0, "1002": 6.0, "0701": 6.0, "1004": 4.0, "1005": 3.0, "0801": 2.0,
          "0604": 2.0, "0610": 2.0}
DESCRIPTIONS = {"event": "发现{name}，请及时处理", "component": "{name}存在问题，需维修"}
# A broken component is reported where it stands (a few metres off: a phone's GPS), unless the census missed it.
AT_COMPONENT = 0.85
GPS_DEGREES = 1e-4  # about ±10 m


@dataclass
class World:
    """Points inside the grids, weighted subtypes and the people by role, department and district."""

    rng: random.Random
    points: list[tuple[float, float]]
    subtypes: list[tuple[str, str, str]]  # (code, kind, name)
    weights: list[float]
    video_subtypes: list[str]
    people: dict[str, list[str]] = field(default_factory=dict)  # group → usernames
    departments: list[str] = field(default_factory=list)
    components: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # class → in-service places
    seq: int = 0

    def report(self, channel: str) -> dict[str, Any]:
        """A new report (or, for the video channel, a camera detection) at a random place in the city."""
        self.seq += 1
        lon, lat = self.rng.choice(self.points)
        lon, lat = round(lon + self.rng.uniform(-2e-4, 2e-4), 6), round(lat + self.rng.uniform(-2e-4, 2e-4), 6)
        if channel == "video":
            return {"camera_id": f"CAM-{self.rng.randint(1, 400):04d}", "subtype": self.rng.choice(self.video_subtypes),
                    "lon": lon, "lat": lat, "image": f"frame-{self.seq}.jpg",
                    "confidence": round(self.rng.uniform(0.6, 0.99), 2)}
        code, kind, name = self.rng.choices(self.subtypes, self.weights)[0]
        if kind == "component" and self.components.get(code) and self.rng.random() < AT_COMPONENT:
            lon, lat = self.rng.choice(self.components[code])
            lon = round(lon + self.rng.uniform(-GPS_DEGREES, GPS_DEGREES), 6)
            lat = round(lat + self.rng.uniform(-GPS_DEGREES, GPS_DEGREES), 6)
        return {"channel": channel, "subtype": code, "description": DESCRIPTIONS[kind].format(name=name),
                "location": {"lon": lon, "lat": lat}, "evidence": [f"photo-{self.seq}.jpg"],
                "urgency": "urgent" if self.rng.random() < 0.03 else "normal",
                "duplicate_of": f"SIM-{self.seq - 1}" if self.rng.random() < 0.03 else None,
                "reporter": self.actor("collector") if channel in ("patrol", "census") else f"citizen-{self.seq}"}

    def actor(self, role: str) -> str:
        """Someone with this role."""
        return self.rng.choice(self.people.get(role) or [role])

    def person_for(self, group: str | None) -> tuple[str, bool]:
        """Who acts on a task of this candidate group, and whether they claim it first (department queues)."""
        group = group or "shift_lead"
        if group in self.people:
            return self.rng.choice(self.people[group]), group in self.departments
        return f"{group}-duty", group in self.departments


def load_world(deps: Deps, rng: random.Random) -> World:
    """Read the loaded city; a clear error when ``gridcase demo seed`` has not run."""
    with deps.uow(read_only=True) as uow:
        store = uow.store
        grids = [(geometry,) for *_, geometry in city.unit_grids(store)]
        subtypes = [(s["code"], s["kind"], s["name_zh"], s["video_ai"]) for s in city.subtypes(store)]
        users = [(u["username"], u["role"], u["department_code"], u["district_code"]) for u in city.users(store)]
        departments = [d["code"] for d in city.departments(store)]
        registry: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for _, subtype, lon, lat in in_service_components(store):
            registry[subtype].append((lon, lat))
    if not grids or not subtypes or not users:
        raise InvalidCommand("the city is not loaded: run `gridcase demo seed` first", field="city")
    points = [shapely.geometry.shape(json.loads(g[0])).representative_point() for g in grids]
    people: dict[str, list[str]] = defaultdict(list)
    for username, role, department, district in users:
        people[role].append(username)
        if role == "collector" and district:
            people[f"collector:{district}"].append(username)
        if role == "department_member" and department:
            people[department].append(username)
    return World(rng=rng, points=[(p.x, p.y) for p in points],
                 subtypes=[(code, kind, name) for code, kind, name, _ in subtypes],
                 weights=[COMMON.get(code, 1.0) for code, *_ in subtypes],
                 video_subtypes=[code for code, _, _, video in subtypes if video], people=dict(people),
                 departments=[d for d in departments if d in people], components=dict(registry))
