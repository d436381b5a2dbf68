"""GPS ingest (POST /api/v1/gps/positions → RecordGpsPositions) on SQLite and PostgreSQL: a recorded dumping stop and
off-route drive raise one alert each (the stop a lifecycle case too), a batch sent again or an episode going on nothing
new; unknown devices kept; bad input refused by field, nothing written; day partitions, retention, silence, roles."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_support import Api, error_of
from gps_ingest_support import (
    LAT,
    SENDER,
    START,
    WEST,
    alerts,
    case_row,
    drive_east,
    dumping_trip,
    fix,
    load_registry,
    rows,
    send,
)

from city.bootstrap import bootstrap
from city.transport.commands import CheckSilentVehicles, PruneGpsPositions, RecordGpsPositions
from city.transport.upkeep import SCHEDULE
from city.transport.wiring import configure
from engine.domain.clock import SystemClock
from engine.persistence.transport_records import PARTITION_PREFIX
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus


def test_without_the_rules_deployed_positions_are_still_recorded(bus: MessageBus) -> None:
    fixes = [fix("ALONE-1", bus.deps.clock.now() - timedelta(seconds=n), WEST, LAT, 5.0) for n in range(2)]
    answer = bus.handle(RecordGpsPositions(tuple(fixes), "tests"))  # no transport_alert among the fixtures
    assert answer == {"accepted": 2, "duplicates": 0, "conflicts": 0, "unknown_devices": 1, "alerts": [],
                      "rules": "not deployed"}


def test_a_dumping_stop_raises_one_alert_and_two_cases_once(api: Api) -> None:
    load_registry(api, "D1", ["闽ET0101"])
    first, rest = dumping_trip("GPS-D1-1", START)
    answer = send(api, first)
    assert answer["accepted"] == len(first) and answer["duplicates"] == 0 and answer["unknown_devices"] == 0
    assert [a["kind"] for a in answer["alerts"]] == ["suspected_dumping"]
    assert answer["alerts"][0]["plate"] == "闽ET0101" and answer["alerts"][0]["case_no"]
    (alert,) = alerts(api, "闽ET0101")
    assert alert["subtype"] == "0809" and alert["state"] == "open"
    assert case_row(api, alert["case_id"]) == ("case_lifecycle", "gps", f"alert:{alert['id']}")
    assert case_row(api, alert["review_case_id"])[0] == "transport_alert"
    track = json.loads(alert["track"])
    assert track["geometry"]["type"] == "LineString"
    assert len(track["geometry"]["coordinates"]) == len(track["properties"]["times"]) >= 20  # the 12-minute stop

    again = send(api, first)  # the same batch again: nothing new
    assert again["accepted"] == 0 and again["duplicates"] == len(first) and again["alerts"] == []
    assert alerts(api, "闽ET0101") == [alert]

    going_on = send(api, rest)  # the stop goes on, then the truck drives off: the same alert, seen later
    assert going_on["accepted"] == len(rest) and going_on["alerts"] == []
    (seen,) = alerts(api, "闽ET0101")
    assert seen["id"] == alert["id"] and seen["case_id"] == alert["case_id"]
    assert seen["last_seen_at"] > alert["last_seen_at"]
    cases = rows(api, "SELECT COUNT(*) FROM cases WHERE channel = 'gps' AND external_id = ?", f"alert:{alert['id']}")
    assert cases == [(1,)]


def test_the_lifecycle_case_carries_the_alert(api: Api) -> None:
    load_registry(api, "D2", ["闽ET0201"])
    first, _ = dumping_trip("GPS-D2-1", START)
    (raised,) = send(api, first)["alerts"]
    assert api.get(f"/cases/{raised['case_no']}", "shiftlead01").status_code == 200
    (alert,) = alerts(api, "闽ET0201")
    blobs = [json.loads(r[0]) for r in rows(api, "SELECT data FROM task_data WHERE case_id = ?", alert["case_id"])]
    carried = [b["gps_alert"] for b in blobs if isinstance(b, dict) and "gps_alert" in b]
    assert carried and carried[0]["id"] == alert["id"] and carried[0]["plate"] == "闽ET0201"
    assert carried[0]["kind"] == "suspected_dumping"
    assert any(b.get("report", {}).get("channel") == "gps" for b in blobs if isinstance(b, dict))


def test_an_off_route_drive_raises_an_alert_without_a_lifecycle_case(api: Api) -> None:
    load_registry(api, "R1", ["闽ET0301"])
    start = START
    along, lon = drive_east("GPS-R1-1", start, WEST + 0.002, 3)
    off, lon = drive_east("GPS-R1-1", start + timedelta(minutes=3), lon, 4, lat=LAT + 0.003)  # ~330 m north
    back, _ = drive_east("GPS-R1-1", start + timedelta(minutes=7), lon, 3)
    answer = send(api, along + off + back)
    assert [(a["kind"], "case_no" in a) for a in answer["alerts"]] == [("off_route", False)]
    (alert,) = alerts(api, "闽ET0301")
    assert alert["case_id"] is None and case_row(api, alert["review_case_id"])[0] == "transport_alert"


def test_unknown_devices_are_counted_and_kept(api: Api) -> None:
    start = START
    positions = [fix("NOBODY-1", start + timedelta(seconds=n), WEST, LAT, 10.0) for n in range(3)]
    positions.append(fix("NOBODY-2", start, WEST, LAT, 10.0))
    answer = send(api, positions)
    assert answer["unknown_devices"] == 2 and answer["accepted"] == 4 and answer["alerts"] == []
    stored = rows(api, "SELECT device_id, COUNT(*), MAX(vehicle_id) FROM gps_positions"
                        " WHERE device_id IN ('NOBODY-1', 'NOBODY-2') GROUP BY device_id ORDER BY device_id")
    assert stored == [("NOBODY-1", 3, None), ("NOBODY-2", 1, None)]


@pytest.mark.parametrize(("change", "field"), [
    ({"lat": 95}, "positions[1].lat"),
    ({"lon": "east"}, "positions[1].lon"),
    ({"recorded_at": "2026-12-07T08:00:00"}, "positions[1].recorded_at"),
    ({"recorded_at": "2126-01-01T00:00:00+08:00"}, "positions[1].recorded_at"),
    ({"speed_kmh": 301}, "positions[1].speed_kmh"),
    ({"heading": -1}, "positions[1].heading"),
    ({"device_id": "x" * 65}, "positions[1].device_id"),
    ({"device_id": "bad\n\x1b[31mdev"}, "positions[1].device_id"),  # printable ASCII without spaces, as registered
    ({"device_id": "GPS 1"}, "positions[1].device_id"),
    ({"device_id": "设备1"}, "positions[1].device_id"),
    ({"lon": 10**400}, "positions[1].lon"),  # too large for a float: "must be a finite number", not a crash
    ({"speed_kmh": 10**400}, "positions[1].speed_kmh"),
    ({"heading": -(10**400)}, "positions[1].heading"),
    ({"colour": "red"}, "positions[1].colour"),
])
def test_a_bad_position_refuses_the_batch_naming_its_field(api: Api, change: dict[str, Any], field: str) -> None:
    start = START
    positions = [fix("BAD-INPUT", start + timedelta(seconds=n), WEST, LAT, 10.0) for n in range(3)]
    positions[1] |= change
    error = error_of(api.post("/gps/positions", SENDER, {"positions": positions}), 422)
    assert field in error["fields"], error
    assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'BAD-INPUT'") == [(0,)]


def test_a_batch_too_large_or_empty_is_refused(city: str, tmp_path: Path) -> None:
    api = Api(city, tmp_path, GRIDCASE_GPS_MAX_BATCH="3")  # the setting reaches the command's check
    try:
        fixes = [fix("BIG", START + timedelta(seconds=n), WEST, LAT, 1.0) for n in range(4)]
        assert "positions" in error_of(api.post("/gps/positions", SENDER, {"positions": fixes}), 422)["fields"]
        assert "positions" in error_of(api.post("/gps/positions", SENDER, {"positions": []}), 422)["fields"]
        assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'BIG'") == [(0,)]
    finally:
        api.close()


def test_only_integration_accounts_and_admins_send_positions(api: Api) -> None:
    body = {"positions": [fix("ROLE-1", START, WEST, LAT, 1.0)]}
    assert api.post("/gps/positions", "collector001", body).status_code == 403
    assert api.post("/gps/positions", "shiftlead01", body).status_code == 403
    assert api.client.post("/api/v1/gps/positions", json=body).status_code == 401
    assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'ROLE-1'") == [(0,)]


def test_partitions_per_day_and_the_retention(api: Api) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    old = now - timedelta(days=3)
    answer = send(api, [fix("PRUNE-1", old, WEST, LAT, 1.0), fix("PRUNE-1", now - timedelta(minutes=1), WEST, LAT,
                                                                    1.0)])
    assert answer["accepted"] == 2
    postgres = api.deps.db.dialect.name != "sqlite"
    if postgres:
        names = {r[0] for r in rows(api, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                          " WHERE i.inhparent = 'gps_positions'::regclass")}
        assert {f"{PARTITION_PREFIX}{old:%Y%m%d}", f"{PARTITION_PREFIX}{now:%Y%m%d}"} <= names
    configure(api.bus, retention_days=2)
    pruned = api.bus.handle(PruneGpsPositions())
    assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'PRUNE-1'") == [(1,)]
    if postgres:
        assert f"{old:%Y%m%d}" in pruned["dropped_days"] and pruned["deleted_rows"] == 0
        names = {r[0] for r in rows(api, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                          " WHERE i.inhparent = 'gps_positions'::regclass")}
        ahead = {f"{PARTITION_PREFIX}{now + timedelta(days=n):%Y%m%d}" for n in range(8)}  # a week ahead
        assert ahead <= names and f"{PARTITION_PREFIX}{old:%Y%m%d}" not in names
    else:
        assert pruned["deleted_rows"] >= 1 and pruned["dropped_days"] == []
    error = error_of(api.post("/gps/positions", SENDER, {"positions": [fix("PRUNE-1", old, WEST, LAT, 1.0)]}), 422)
    assert "positions[0].recorded_at" in error["fields"]  # older than the retention: refused


def test_a_silent_vehicle_raises_a_silent_alert_once(api: Api) -> None:
    load_registry(api, "S1", ["闽ET0401"])
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=45)
    drive, _ = drive_east("GPS-S1-1", start, WEST + 0.002, 4)
    assert send(api, drive)["alerts"] == []
    found = api.bus.handle(CheckSilentVehicles())
    assert found["checked"] >= 1
    assert [a["kind"] for a in found["alerts"] if a["plate"] == "闽ET0401"] == ["silent"]
    again = api.bus.handle(CheckSilentVehicles())
    assert [a for a in again["alerts"] if a["plate"] == "闽ET0401"] == []
    (alert,) = alerts(api, "闽ET0401")
    assert alert["kind"] == "silent" and alert["case_id"] is None


def test_a_registry_load_is_seen_by_the_next_batch(api: Api) -> None:
    start = START
    first = [fix("GPS-L1-1", start + timedelta(seconds=30 * n), WEST, LAT, 10.0) for n in range(3)]
    assert send(api, first)["unknown_devices"] == 1
    load_registry(api, "L1", ["闽ET0501"])  # through this app's bus: its observer resets the cached registry
    later = [fix("GPS-L1-1", start + timedelta(minutes=5, seconds=30 * n), WEST, LAT, 10.0) for n in range(3)]
    assert send(api, later)["unknown_devices"] == 0


def test_the_scheduler_sends_the_transport_upkeep(api: Api) -> None:
    timers = TimerScheduler(api.bus)
    for seconds, command in SCHEDULE:  # as `gridcase scheduler` does
        timers.every(seconds, command)
    results = timers.run_periodic()
    assert [sorted(r) for r in results] == [["alerts", "checked"],
                                            ["busy_days", "deleted_rows", "dropped_days", "made_partitions"]]
    assert timers.run_periodic() == []  # neither is due again yet


def test_two_workers_making_the_same_day_at_once_both_record(api: Api) -> None:
    day = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=10)
    buses = [api.bus, bootstrap(api.deps.db, SystemClock())]  # the second as another process's: caches of its own
    answers: list[Any] = [None, None]
    ready = threading.Barrier(2)

    def send(index: int) -> None:
        ready.wait()
        positions = [fix(f"RACE-{index}", day + timedelta(seconds=n), WEST, LAT, 1.0) for n in range(5)]
        answers[index] = buses[index].handle(RecordGpsPositions(tuple(positions), SENDER))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in reversed(threads):
        thread.join()
    assert [a["accepted"] for a in answers] == [5, 5]
    assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id IN ('RACE-0', 'RACE-1')") == [(10,)]
