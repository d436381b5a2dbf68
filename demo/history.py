"""Demo history: years of ended cases of the loaded city, as rows of the history CSV (docs/history.md).

Places are points inside the unit grids (grids weighted by district and by a per-grid "hot spot"
factor, so heat maps have hot spots), subtypes and channels weighted like the simulator's, the
department and time limit from the responsibility rule, deadlines in working time from the first
dispatch, and returns (by another department answering for the district), extensions, suspensions, late
disposals, reworks and voids at the simulator's rates. Waits between steps are wall-clock hours (an
approximation of the simulated people's working-hour delays); only deadlines are computed on the
working-time calendar.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import shapely.geometry
from shapely.prepared import prep

from city.history.importer import COLUMNS
from engine.domain.city_zone import CITY as CITY_ZONE  # the city's zone (its package's profile)
from engine.domain.errors import InvalidCommand
from engine.domain.working_time import WorkingTime
from engine.persistence.read import city
from engine.service.deps import Deps

SELF_FOUND = ("patrol", "census")  # no 核实: the collector found it
HOURS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0, 2.2, 3.0, 3.0, 2.8, 2.2, 1.6, 2.2, 2.6, 2.6, 2.4, 2.0, 1.4, 1.0,
         0.8, 0.6, 0.4, 0.3]  # reports by hour of the day


@dataclass(frozen=True)
class Mix:
    """Shares of the demo history: channels, subtype weights (default 1), districts, and outcome rates."""

    channels: dict[str, float]
    subtype_weights: dict[str, float]
    districts: dict[str, float]
    rates: dict[str, float]  # found_on_site, duplicate, returns, requests_extension, requests_suspension,
    # approves_request, late, passes_check (the simulator's Behaviour)
    points_per_grid: int = 8


@dataclass
class City:
    """What the generator draws from: grid places, subtypes, responsibility, people."""

    places: list[tuple[str, str, str, float, float]]  # unit grid, resp grid, district, lon, lat
    place_weights: list[float]
    subtypes: list[str]
    subtype_weights: list[float]
    responsibility: dict[tuple[str, str], tuple[str | None, float, str]]  # (subtype, district) → dept, amount, unit
    people: dict[str, list[str]]

    def __post_init__(self) -> None:
        self.place_cum = list(itertools.accumulate(self.place_weights))
        self.subtype_cum = list(itertools.accumulate(self.subtype_weights))
        found: dict[str, set[str]] = {}
        for (_, district), (department, _, _) in self.responsibility.items():
            if department:
                found.setdefault(district, set()).add(department)
        self.departments = {district: sorted(codes) for district, codes in found.items()}  # a district's, in order


def _points(rng: random.Random, geometry: str, count: int) -> list[tuple[float, float]]:
    shape = shapely.geometry.shape(json.loads(geometry))
    inside, (x0, y0, x1, y1) = prep(shape), shape.bounds
    found: list[tuple[float, float]] = []
    for _ in range(count * 20):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if inside.contains(shapely.geometry.Point(x, y)):
            found.append((round(x, 6), round(y, 6)))
            if len(found) == count:
                break
    point = shape.representative_point()
    return found or [(round(point.x, 6), round(point.y, 6))]


def load_city(deps: Deps, mix: Mix, rng: random.Random,
              responsibility: Callable[[str, str], tuple[str, float, str] | None]) -> City:
    """The loaded city for the generator; ``responsibility(subtype, district)`` → (department, limit, unit)."""
    with deps.uow(read_only=True) as uow:
        store = uow.store
        grids = city.unit_grids(store)
        subtypes = [(s["code"], s["limit_amount"], s["limit_unit"]) for s in city.subtypes(store)]
        users = [(u["username"], u["role"], u["district_code"]) for u in city.users(store)]
    if not grids or not subtypes:
        raise InvalidCommand("the city is not loaded: run `gridcase demo seed` first", field="city")
    per_district: dict[str, int] = {}
    for grid in grids:
        per_district[grid[2]] = per_district.get(grid[2], 0) + 1
    places, weights = [], []
    for code, resp, district, geometry in grids:
        points = _points(rng, geometry, mix.points_per_grid)
        heat = rng.lognormvariate(0, 1.0) * mix.districts.get(district, 0.1) / per_district[district] / len(points)
        places += [(code, resp, district, lon, lat) for lon, lat in points]
        weights += [heat] * len(points)
    table: dict[tuple[str, str], tuple[str | None, float, str]] = {}
    for code, amount, unit in subtypes:
        for district in per_district:
            table[(code, district)] = responsibility(code, district) or (None, amount, unit)
    people: dict[str, list[str]] = {}
    for username, role, district in users:
        people.setdefault(role, []).append(username)
        if role == "collector" and district:
            people.setdefault(f"collector:{district}", []).append(username)
    return City(places=places, place_weights=weights, subtypes=[s[0] for s in subtypes],
                subtype_weights=[mix.subtype_weights.get(s[0], 1.0) for s in subtypes], responsibility=table,
                people=people)


def _months(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def month_shares(cases: int, months: int) -> list[int]:
    """Cases per month: a slow growth and a summer peak, adding up to ``cases`` exactly."""
    weights = [(1 + 0.01 * i) * (1 + 0.15 * math.sin((i % 12 - 3) / 12 * 2 * math.pi)) for i in range(months)]
    total = sum(weights)
    shares = [int(cases * w / total) for w in weights]
    for i in range(cases - sum(shares)):
        shares[i % months] += 1
    return shares


@dataclass
class Generator:
    """Draws cases; ``rows(start, months, cases)`` yields CSV rows in time order."""

    city: City
    mix: Mix
    working_time: WorkingTime
    rng: random.Random
    seq: int = 0

    def __post_init__(self) -> None:
        self._channels = list(self.mix.channels)
        self._channel_cum = list(itertools.accumulate(self.mix.channels.values()))
        self._hour_cum = list(itertools.accumulate(HOURS))

    def rows(self, start: date, months: int, cases: int) -> Iterator[list[str]]:
        """``cases`` rows over ``months`` months from ``start``, in order of their report time."""
        for first, count in zip(_months(start, months), month_shares(cases, months), strict=True):
            days = (_months(first, 2)[1] - first).days
            moments = sorted(self._moment(first, days) for _ in range(count))
            for moment in moments:
                yield self.case(moment)

    def _moment(self, first: date, days: int) -> datetime:
        hour = self.rng.choices(range(24), cum_weights=self._hour_cum)[0]
        day = first + timedelta(days=self.rng.randrange(days))
        return datetime(day.year, day.month, day.day, hour, tzinfo=CITY_ZONE) + timedelta(
            seconds=self.rng.randrange(3600))

    def _hours(self, moment: datetime, low: float, high: float) -> datetime:
        return moment + timedelta(hours=self.rng.uniform(low, high))

    def _person(self, group: str) -> str:
        found = self.city.people.get(group) or self.city.people.get("collector") or [group]
        return self.rng.choice(found)

    def case(self, reported: datetime) -> list[str]:
        """One ended case reported at ``reported``, as a row of ``COLUMNS``."""
        self.seq += 1
        rng, city = self.rng, self.city
        channel = rng.choices(self._channels, cum_weights=self._channel_cum)[0]
        subtype = rng.choices(city.subtypes, cum_weights=city.subtype_cum)[0]
        grid, resp, district, lon, lat = rng.choices(city.places, cum_weights=city.place_cum)[0]
        row: dict[str, Any] = {"case_no": f"H{reported:%Y%m%d}{self.seq:07d}", "reported_at": reported,
                               "channel": channel, "subtype": subtype, "district": district, "resp_grid": resp,
                               "unit_grid": grid, "lon": lon, "lat": lat}
        row["reporter"] = self._person(f"collector:{district}") if channel in SELF_FOUND else f"citizen-{self.seq}"
        intake = reported
        if channel not in SELF_FOUND:
            intake = row["verified_at"] = self._hours(reported, 0.3, 6)
            row["verifier"] = self._person(f"collector:{district}")
        row["filed_at"] = self._hours(intake, 0.1, 2)
        void = self._void(channel)
        if void:
            row.update(result="voided", void_reason=void, closed_at=row["filed_at"])
        else:
            self._work(row, *city.responsibility[(subtype, district)])
        return [_cell(row.get(name)) for name in COLUMNS]

    def _void(self, channel: str) -> str | None:
        roll = self.rng.random()
        if channel not in SELF_FOUND and roll < 1 - self.mix.rates["found_on_site"]:
            return "invalid"
        roll = self.rng.random()
        return "duplicate" if roll < self.mix.rates["duplicate"] else "out_of_scope" if roll < 0.04 else None

    def _work(self, row: dict[str, Any], department: str | None, amount: float, unit: str) -> None:
        """Dispatch, disposal (returns, extensions, suspensions, lateness), check (reworks) and closing."""
        rng, rates, counters = self.rng, self.mix.rates, dict.fromkeys(("returns", "extensions", "suspensions"), 0)
        row.update(department=department, dispatcher=self._person("dispatcher"), wrong_dispatches=0)
        dispatched = row["dispatched_at"] = self._hours(row["filed_at"], 0.05, 1)
        roll = rng.random()
        if roll < rates["returns"]:  # sent back by another department answering for the district
            counters["returns"], row["wrong_dispatches"] = 1, 1
            others = [d for d in self.city.departments.get(row["district"], []) if d != department]
            row["returned_by"] = rng.choice(others) if others else None
        elif roll < rates["returns"] + rates["requests_extension"] * rates["approves_request"]:
            counters["extensions"], amount = 1, amount * 2
        due = self.working_time.deadline(dispatched, amount, unit).astimezone(CITY_ZONE)
        if rng.random() < rates["requests_suspension"] * rates["approves_request"]:
            counters["suspensions"], due = 1, self._hours(due, 24, 240)
        late = rng.random() < rates["late"]
        span = max(due - dispatched, timedelta(minutes=30))
        disposed = self._hours(due, 0.5, 30) if late else dispatched + span * rng.uniform(0.15, 0.95)
        checked = self._hours(disposed, 0.5, 6)
        reworks = 0
        while rng.random() >= rates["passes_check"] and reworks < 2:
            reworks += 1
            disposed = self._hours(checked, 1, 8)
            checked = self._hours(disposed, 0.5, 6)
        on_time = disposed <= due
        row.update(counters, due_at=due, disposed_at=disposed, checked_at=checked, reworks=reworks,
                   checker=self._person(f"collector:{row['district']}"), closed_at=self._hours(checked, 0.1, 2),
                   result="closed", close_type="normal" if on_time else "overdue", closed_on_time=on_time,
                   overdue=0 if on_time else 1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(CITY_ZONE).isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
