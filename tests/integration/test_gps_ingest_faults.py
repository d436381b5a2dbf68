"""The GPS ingest when something is off (SQLite and PostgreSQL): numbers no float holds and a device id no truck can
have refused by field; a device and time sent again with other coordinates counted as a conflict, the first kept; a
permit whose hours cannot be read leaves the other trucks checked and its own "without a permit"; rule outputs the
alerts' columns cannot hold stored clamped; partition DDL that cannot lock gps_positions refuses the batch to be sent
again (the ingest) or is left for the next run (the prune) instead of queueing every insert behind it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api_support import Api, error_of
from gps_ingest_support import (
    EAST,
    LAT,
    SENDER,
    START,
    WEST,
    alerts,
    drive_east,
    dumping_trip,
    fix,
    load_registry,
    rows,
    send,
)

from city.transport.commands import PruneGpsPositions
from city.transport.wiring import caches_of, configure
from engine.domain.commands import DeployProcesses
from engine.persistence.transport_records import PARTITION_PREFIX
from engine.persistence.uow import command_scope

ROOT = Path(__file__).resolve().parents[2]
TRANSPORT_ALERT = {"transport_alert.bpmn": ROOT / "workflows" / "transport_alert.bpmn",
                   "gps_alert_review.dmn": ROOT / "rules" / "gps_alert_review.dmn",
                   "gps_violation.dmn": ROOT / "rules" / "gps_violation.dmn"}


def _postgres(api: Api) -> bool:
    return bool(api.deps.db.dialect.name != "sqlite")


def test_a_number_too_large_for_a_float_is_no_finite_number(api: Api) -> None:
    huge = "1" + "0" * 400
    raw = f'{{"positions": [{{"device_id": "HUGE-1", "recorded_at": "{START.isoformat()}", "lon": {huge}, "lat": 1}}]}}'
    response = api.client.post("/api/v1/gps/positions", data=raw, headers={**api.headers(SENDER),
                                                                            "Content-Type": "application/json"})
    assert error_of(response, 422)["fields"] == {"positions[0].lon": "must be a finite number"}


def test_a_device_and_time_with_other_coordinates_is_a_conflict_the_first_kept(api: Api) -> None:
    first, moved, later = (fix("TWICE-1", START, WEST, LAT, 10.0), fix("TWICE-1", START, EAST, LAT, 10.0),
                           fix("TWICE-1", START + timedelta(seconds=30), WEST + 0.001, LAT, 10.0))
    answer = send(api, [first, moved, later, first])  # the second: same time, elsewhere; the fourth: a repeat
    assert (answer["accepted"], answer["duplicates"], answer["conflicts"]) == (2, 1, 1)
    again = send(api, [later | {"lon": EAST}, first])  # against what is stored: one moved, one as it was
    assert (again["accepted"], again["duplicates"], again["conflicts"]) == (0, 1, 1)
    stored = rows(api, "SELECT lon FROM gps_positions WHERE device_id = 'TWICE-1' ORDER BY recorded_at")
    assert stored == [(round(WEST, 6),), (round(WEST + 0.001, 6),)]


def _set_hours(api: Api, code: str, hours: list[str]) -> None:
    """A permit's hours as stored (what a load may no longer accept, but a database already holds)."""
    later = datetime.now(UTC) + timedelta(days=1)  # the registry's version moves: every process reads it again
    with command_scope(), api.deps.uow() as uow:
        uow.store._execute("UPDATE transport_permits SET hours_json = ?, updated_at = ? WHERE code = ?",
                           (json.dumps(hours), uow.dialect.stamp(later), code))
    caches_of(api.deps).reset()


def test_a_permit_whose_hours_cannot_be_read_leaves_the_ingest_running(api: Api) -> None:
    load_registry(api, "H1", ["闽ET0601"])
    load_registry(api, "H2", ["闽ET0602"])
    _set_hours(api, "PH2", ["06:00-24:30"])
    other, _ = drive_east("GPS-H1-1", START, WEST + 0.002, 5)
    assert send(api, other)["alerts"] == []  # another company's truck: checked as before
    own, _ = drive_east("GPS-H2-1", START, WEST + 0.002, 5)
    answer = send(api, own)  # the unreadable permit is left out: its truck drives without one
    assert [a["kind"] for a in answer["alerts"]] == ["no_permit"] and answer["accepted"] == len(own)


def _deploy(api: Api, violation_rules: str) -> None:
    files = {name: path.read_text("utf-8") for name, path in TRANSPORT_ALERT.items()}
    api.bus.handle(DeployProcesses({**files, "gps_violation.dmn": violation_rules}, "admin"))


def test_rule_outputs_the_alerts_cannot_hold_are_stored_clamped(api: Api) -> None:
    shipped = TRANSPORT_ALERT["gps_violation.dmn"].read_text("utf-8")
    long_id = "stop_" + "x" * 120
    _deploy(api, shipped.replace('id="stop_over_10_minutes_outside_sites"', f'id="{long_id}"')
            .replace('<text>"0809"</text>', '<text>"0809-0809-0809-0809-0809"</text>')
            .replace('_o3"><text>"high"</text>', '_o3"><text>"high-priority"</text>', 1))
    try:
        load_registry(api, "C1", ["闽ET0701", "闽ET0702"])
        innocent, _ = drive_east("GPS-C1-2", START, WEST + 0.002, 5)
        dumping, _ = dumping_trip("GPS-C1-1", START)
        answer = send(api, innocent + dumping)  # PostgreSQL refused the too-long values: the whole batch was lost
        assert answer["accepted"] == len(innocent) + len(dumping)
        assert [(a["kind"], "case_no" in a) for a in answer["alerts"]] == [("suspected_dumping", False)]
        (alert,) = alerts(api, "闽ET0701")
        assert (alert["subtype"], alert["case_id"]) == (None, None) and alert["review_case_id"]
        assert rows(api, "SELECT severity, rule_id FROM gps_alerts WHERE id = ?", alert["id"]) == [
            ("medium", long_id[:100])]
    finally:
        _deploy(api, shipped)


class _LongRead:
    """A read of gps_positions held open on a connection of its own (PostgreSQL: its lock on the table)."""

    def __init__(self, api: Api) -> None:
        self.connection = api.deps.db.connect() if _postgres(api) else None

    def __enter__(self) -> _LongRead:
        if self.connection is not None:
            self.connection.exec_driver_sql("SELECT COUNT(*) FROM gps_positions").fetchall()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()


def test_a_new_days_partition_behind_a_long_read_refuses_the_batch_to_be_sent_again(api: Api) -> None:
    day = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=20)
    batch = {"positions": [fix("LATE-DAY-1", day + timedelta(seconds=n), WEST, LAT, 1.0) for n in range(5)]}
    with _LongRead(api):
        response = api.post("/gps/positions", SENDER, batch)
        if _postgres(api):  # the partition's CREATE waits 2 s for the lock, then the batch is refused: retry
            error = error_of(response, 409)
            assert "send the batch again" in error["message"] and "positions" in error["fields"]
            assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'LATE-DAY-1'") == [(0,)]
        else:  # no partitions: nothing to wait for
            assert response.status_code == 200
    answer = send(api, batch["positions"])
    assert answer["accepted"] + answer["duplicates"] == 5
    assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'LATE-DAY-1'") == [(5,)]


def test_the_prune_leaves_what_it_cannot_lock_for_the_next_run(api: Api) -> None:
    old = datetime.now(UTC).replace(microsecond=0) - timedelta(days=4)
    assert send(api, [fix("PRUNE-2", old, WEST, LAT, 1.0)])["accepted"] == 1
    configure(api.bus, retention_days=2)
    with _LongRead(api):
        busy = api.bus.handle(PruneGpsPositions())
    stored = rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'PRUNE-2'")
    if _postgres(api):
        assert f"{old:%Y%m%d}" in busy["busy_days"] and f"{old:%Y%m%d}" not in busy["dropped_days"]
        assert stored == [(1,)]  # kept for the next hour: the insert queue never waited behind the DROP
        pruned = api.bus.handle(PruneGpsPositions())  # the read is over
        assert f"{old:%Y%m%d}" in pruned["dropped_days"] and pruned["busy_days"] == []
        names = {r[0] for r in rows(api, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                          " WHERE i.inhparent = 'gps_positions'::regclass")}
        assert f"{PARTITION_PREFIX}{old:%Y%m%d}" not in names
    else:
        assert busy["busy_days"] == [] and busy["deleted_rows"] >= 1 and stored == [(0,)]
    assert rows(api, "SELECT COUNT(*) FROM gps_positions WHERE device_id = 'PRUNE-2'") == [(0,)]
