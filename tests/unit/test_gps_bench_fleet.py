"""The GPS bench's simulated fleet (bench/gps_tracks.py): trucks walk their corridors up and down, the violators
leave their corridor or stop, and each client thread sends its own trucks' positions in time order."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime

from bench.gps_tracks import DUMPING_EVERY, OFF_ROUTE_EVERY, VIOLATION_STEPS, Route, batches, registry_files, tracks

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_a_route_is_walked_there_and_back() -> None:
    route = Route([[117.60, 24.50], [117.61, 24.50]])
    assert math.isclose(route.length, 0.01 * 110_574 * math.cos(math.radians(24.5)), rel_tol=1e-9)
    assert route.at(0)[:2] == (117.60, 24.50)
    lon, _, heading = route.at(route.length * 1.5)  # on the way back, half way
    assert math.isclose(lon, 117.605, abs_tol=1e-9) and math.isclose(heading, 270.0)


def test_the_violators_leave_their_corridor_or_stop() -> None:
    fleet = tracks(DUMPING_EVERY, 200, START)
    still = {(f["lon"], f["lat"]) for f in fleet[DUMPING_EVERY - 1] if f["speed_kmh"] == 0}
    assert len(still) == 1 and sum(f["speed_kmh"] == 0 for f in fleet[DUMPING_EVERY - 1]) == VIOLATION_STEPS["dumping"]
    assert all(f["speed_kmh"] > 0 for track in fleet[:DUMPING_EVERY - 1] for f in track)
    off = tracks(OFF_ROUTE_EVERY, 200, START)[OFF_ROUTE_EVERY - 1]
    first, steps = 200 // 3, VIOLATION_STEPS["off_route"]  # ~280 m north from a third of the run on, then back
    assert off[first]["lat"] - off[first - 1]["lat"] > 0.0017  # more than a 10 s drive (83 m) can move
    assert off[first + steps - 1]["lat"] - off[first + steps]["lat"] > 0.0017


def test_each_client_sends_its_own_trucks_in_time_order() -> None:
    fleet = tracks(10, 30, START)
    sent = [[json.loads(body)["positions"] for body in own] for own in batches(fleet, 3, 7)]
    flat = [[fix for body in own for fix in body] for own in sent]
    assert sum(len(own) for own in flat) == 300 and all(len(body) <= 7 for own in sent for body in own)
    for own in flat:
        times: dict[str, str] = {}
        for fix in own:
            assert fix["recorded_at"] > times.get(fix["device_id"], "")
            times[fix["device_id"]] = fix["recorded_at"]
    assert {f["device_id"] for f in flat[0]} == {"BENCH-00001", "BENCH-00004", "BENCH-00007", "BENCH-00010"}


def test_the_registry_names_every_truck_on_one_permit() -> None:
    files = registry_files(25)
    plates = [row["plate"] for row in csv.DictReader(io.StringIO(files["vehicles.csv"]))]
    named = [p for f in json.loads(files["permits.geojson"])["features"] for p in f["properties"]["plates"]]
    assert len(plates) == 25 and sorted(named) == sorted(plates)
