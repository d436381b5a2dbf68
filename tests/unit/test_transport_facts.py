"""A truck's running facts from recorded tracks (city/transport/facts.py, geometry.py): off-corridor spells, stops
in and outside the permitted sites, moving out of hours or without a permit, silence; batches sent twice or out of
order; the state's JSON round trip; its company's depot (停车场), where it parks for the night unwatched."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import replace
from typing import Any

import pytest
from gps_track_support import (
    PROJECTION,
    SITES,
    VEHICLE,
    ZONE,
    areas,
    at,
    drive,
    permit,
    pos,
    run,
    square,
    stand,
)

from city.persistence.read.transport_registry import PermitRow, RegistrySnapshot, SiteRow, VehicleRow
from city.transport.facts import Position, advance, silent_checkpoint
from city.transport.geometry import DepotArea, LocalProjection, PermitArea, hour_windows, permit_areas
from city.transport.violation_rules import ViolationRules

RULES = ViolationRules.shipped()
TRIP = drive(0, (-100, 0), (5100, 0))  # from inside the source site to inside the disposal site, on the corridor


def off_route_drive() -> list[Position]:
    """On the corridor to x=1000, 150 m north of it (100 m outside) for 3 minutes, back on and on to x=3000."""
    return (drive(0, (0, 0), (1000, 0)) + drive(100, (1000, 0), (1000, 150))
            + drive(120, (1000, 150), (2800, 150)) + drive(300, (2800, 150), (2800, 0))
            + drive(320, (2800, 0), (3000, 0)))


def test_the_projection_measures_metres_within_a_percent() -> None:
    projection = LocalProjection(117.65, 24.51)
    x, y = projection.to_xy(117.65 + 0.01, 24.51)
    assert x == pytest.approx(1012.0, rel=0.01) and y == pytest.approx(0.0, abs=1e-6)
    assert projection.to_xy(117.65, 24.52)[1] == pytest.approx(1111.9, rel=0.01)
    assert projection.to_lonlat(*projection.to_xy(117.7, 24.4)) == pytest.approx((117.7, 24.4))


def test_a_trip_inside_the_corridor_in_its_hours_makes_no_checkpoint() -> None:
    state, checkpoints = run(areas(permit()), TRIP)
    assert checkpoints == []
    assert state is not None and state["episodes"] == {} and state["moving"] and state["has_permit"]
    assert state["permit_id"] == 1 and state["at"] == at(10 * (len(TRIP) - 1)).isoformat()


def test_an_off_route_drive_ends_with_its_duration_and_farthest_distance() -> None:
    state, checkpoints = run(areas(permit()), off_route_drive())
    ended = checkpoints[-1]
    assert ended.facts["off_corridor_seconds"] == 200.0  # from 110 s (first point outside) to 310 s (last one)
    assert ended.facts["off_corridor_max_m"] == pytest.approx(100.0, abs=0.5)
    assert ended.episodes == {"off_route": at(110)} and ended.at == at(310) and ended.permit_id == 1
    assert state is not None and state["episodes"] == {}
    assert {c.episodes["off_route"] for c in checkpoints} == {at(110)}  # every checkpoint: the same episode
    assert [c.facts["off_corridor_seconds"] for c in checkpoints] == sorted(c.facts["off_corridor_seconds"]
                                                                            for c in checkpoints)


def test_a_stop_outside_the_sites_is_a_stop_not_at_a_site() -> None:
    track = drive(0, (0, 0), (2500, 0)) + stand(250, 2500, 300, 15 * 60) + drive(1150, (2500, 300), (3000, 0))
    _, checkpoints = run(areas(permit()), track)
    stop_end = [c for c in checkpoints if "suspected_dumping" in c.episodes][-1]
    assert stop_end.facts["stop_minutes"] == pytest.approx(14.83, abs=0.01)  # 250 s to 1140 s
    assert stop_end.facts["stop_at_site"] is False and stop_end.facts["moving"] is False
    assert stop_end.episodes["suspected_dumping"] == at(250)
    assert stop_end.facts["off_corridor_max_m"] == pytest.approx(250, abs=3)  # and it stood off its route


def test_a_stop_inside_the_disposal_site_is_at_the_site() -> None:
    track = drive(0, (4000, 0), (5100, 0)) + stand(110, 5100, 20, 20 * 60) + drive(1310, (5100, 0), (4000, 0))
    _, checkpoints = run(areas(permit()), track)
    assert checkpoints and all(set(c.episodes) == {"suspected_dumping"} for c in checkpoints)
    assert checkpoints[-1].facts["stop_at_site"] is True and checkpoints[-1].facts["stop_minutes"] > 19
    assert checkpoints[-1].facts["off_corridor_seconds"] == 0.0  # inside a site is inside


def test_positions_without_speed_stop_where_the_truck_stood_still() -> None:
    track = drive(0, (0, 0), (1000, 0), speed=None) + stand(100, 1000, 0, 600, speed=None)
    state, checkpoints = run(areas(permit()), track)
    assert checkpoints[-1].episodes == {"suspected_dumping": at(100)}
    assert state is not None and state["moving"] is False and checkpoints[-1].facts["stop_minutes"] == 9.83


def test_moving_out_of_hours_is_a_spell_that_a_long_stop_ends() -> None:
    evening = 12 * 3600  # 22:00 in Zhangzhou, the permit's hours are 07:00-19:00
    track = (drive(evening, (0, 0), (4000, 0)) + stand(evening + 400, 4000, 0, 600)
             + drive(evening + 1000, (4000, 0), (3000, 0)))
    _, checkpoints = run(areas(permit()), track)
    first = [c for c in checkpoints if c.episodes.get("out_of_hours") == at(evening)]
    assert first[-1].facts["out_of_hours_minutes"] == 6.5 and first[-1].facts["has_permit"] is True
    assert checkpoints[-1].episodes == {"out_of_hours": at(evening + 1000)}  # after the stop: a new spell


def test_a_vehicle_without_a_permit_moves_unpermitted() -> None:
    for permits in [(), (permit(state="revoked"),), (permit(valid_to=at(-1)),)]:
        state, checkpoints = run(areas(*permits), TRIP[:40])
        assert state is not None and state["has_permit"] is False
        assert checkpoints[-1].facts["unpermitted_minutes"] == 6.5
        assert checkpoints[-1].facts["has_permit"] is False and checkpoints[-1].permit_id is None
        assert checkpoints[-1].episodes == {"no_permit": at(0)}  # no corridor: never off route


def test_a_permit_that_begins_during_the_drive_ends_the_unpermitted_spell() -> None:
    _, checkpoints = run(areas(permit(valid_from=at(200))), TRIP[:40])
    assert [(c.episodes, c.facts["unpermitted_minutes"]) for c in checkpoints] == [({"no_permit": at(0)}, 3.17)]


def test_silence_while_it_should_be_reporting() -> None:
    state, _ = run(areas(permit()), TRIP[:10])
    checkpoint = silent_checkpoint(state, areas(permit()), at(90 + 40 * 60), ZONE)
    assert checkpoint is not None and checkpoint.facts["silent_minutes"] == 40.0
    assert checkpoint.episodes == {"silent": at(90)} and checkpoint.permit_id == 1
    assert (checkpoint.lon, checkpoint.lat) == (TRIP[9].lon, TRIP[9].lat)
    assert silent_checkpoint(state, areas(permit()), at(12 * 3600), ZONE) is None  # 22:00: out of its hours
    assert silent_checkpoint(state, (), at(90 + 40 * 60), ZONE) is None  # no permit: nothing to report for
    assert silent_checkpoint(None, areas(permit()), at(90 + 40 * 60), ZONE) is None  # never seen


def test_a_batch_sent_twice_changes_nothing() -> None:
    permits = areas(permit())
    state, _ = advance(None, permits, off_route_drive()[:20], ZONE, PROJECTION)
    again, checkpoints = advance(json.loads(json.dumps(state)), permits, off_route_drive()[:20], ZONE, PROJECTION)
    assert again == state and checkpoints == []


def test_positions_out_of_order_and_late_ones() -> None:
    track = off_route_drive()
    shuffled = track[:25]
    random.Random(3).shuffle(shuffled)
    in_order = advance(None, areas(permit()), track[:25], ZONE, PROJECTION)
    assert advance(None, areas(permit()), shuffled, ZONE, PROJECTION) == in_order
    late = [pos(5, 0, 900), pos(240, 0, 900)]  # before the state's last position (240 s): ignored
    assert advance(in_order[0], areas(permit()), late, ZONE, PROJECTION) == (in_order[0], [])
    state, checkpoints = advance(in_order[0], areas(permit()), late + track[25:27], ZONE, PROJECTION)
    assert state is not None and state["at"] == at(260).isoformat()
    assert checkpoints[-1].facts["off_corridor_max_m"] == pytest.approx(100.0, abs=0.5)  # not 850 m


def test_a_window_passing_midnight() -> None:
    night = areas(permit(hours=("22:00-06:00",)))
    for local_hour, out_of_hours in [(23, False), (2, False), (5.9, False), (6, True), (12, True), (21.9, True)]:
        start = (local_hour - 10) % 24 * 3600  # T0 is 10:00 in Zhangzhou
        _, checkpoints = advance(None, night, drive(start, (0, 0), (2000, 0)), ZONE, PROJECTION)  # 190 s
        assert bool(checkpoints) is out_of_hours, local_hour
    assert hour_windows(("22:00-06:00",)) == ((1320, 1440), (0, 360))
    assert hour_windows(()) == ((0, 1440),) and hour_windows(("00:00-24:00",)) == ((0, 1440),)
    with pytest.raises(ValueError, match="25:00"):
        hour_windows(("08:00-25:00",))


def test_the_state_round_trips_through_json_and_batches_do_not_change_the_facts() -> None:
    track = off_route_drive() + stand(340, 3000, 0, 300)
    one_state, one = advance(None, areas(permit()), track, ZONE, PROJECTION)
    state, split = run(areas(permit()), track, batch=7)
    assert state == json.loads(json.dumps(one_state))
    ends = [c for c in one if c.at != track[-1].recorded_at]
    assert ends and all(c in split for c in ends)  # the episodes' end figures do not depend on the batches
    assert split[-1] == one[-1]


def test_several_permits_are_one_union() -> None:
    """Inside any valid permit's corridor is inside; in any valid permit's hours is in hours."""
    morning = permit(1, hours=("07:00-12:00",))
    north = permit(2, route=((0, 2000), (5000, 2000)), hours=("12:00-19:00",), sites=(3, 4))
    track = drive(4 * 3600, (0, 0), (1000, 0)) + drive(4 * 3600 + 100, (0, 2000), (1000, 2000))  # 14:00 local
    assert run(areas(morning, north), track)[1] == []
    only_north = areas(permit(1, hours=("07:00-12:00",), valid_to=at(0)), north)
    checkpoints = run(only_north, track)[1]
    assert [(c.episodes, c.permit_id, c.facts["off_corridor_seconds"]) for c in checkpoints] == [
        ({"off_route": at(4 * 3600)}, 2, 90.0)]
    only_morning = areas(morning, permit(2, route=((0, 2000), (5000, 2000)), hours=(), valid_to=at(0)))
    last = run(only_morning, track)[1][-1]
    assert last.episodes == {"out_of_hours": at(4 * 3600), "off_route": at(4 * 3600 + 100)}
    assert last.permit_id == 1 and last.facts["out_of_hours_minutes"] == 3.17


DEPOT = SiteRow(9, "DEP01", "鑫达停车场", "depot", square(2000, -600, 2200, -400), company_id=1)  # 350 m off the route
NIGHT = 10 * 3600  # 20:00 in Zhangzhou: the permit's hours (07:00-19:00) are over


def with_depot(*permits: PermitRow, company_id: int = 1) -> tuple[PermitArea, ...]:
    """The vehicle's areas when it belongs to company ``company_id`` and company 1 has the depot."""
    vehicle = VehicleRow(VEHICLE, "闽E12345", company_id, "DEV-7", True)
    snapshot = RegistrySnapshot("test", vehicles_by_device={"DEV-7": vehicle}, sites={**SITES, DEPOT.id: DEPOT},
                                permits_by_vehicle={VEHICLE: tuple(permits)})
    return permit_areas(snapshot, PROJECTION).get(VEHICLE, ())


def test_a_vehicles_areas_are_its_permits_then_its_companys_depots() -> None:
    found = with_depot(permit())
    assert [type(a).__name__ for a in found] == ["PermitArea", "DepotArea", "SiteArea"]
    depot = found[1]
    assert isinstance(depot, DepotArea) and depot.site_id == 9 and depot.company_id == 1
    assert depot.contains(2100, -500) and depot.contains(2100, -380) and not depot.contains(2100, -300)
    assert not depot.valid_at(at(0).timestamp())  # a depot permits nothing
    assert [type(a).__name__ for a in with_depot(permit(), company_id=2)] == ["PermitArea"]
    assert [type(a).__name__ for a in with_depot()] == ["DepotArea"]  # no permit: its depot still


@pytest.mark.parametrize("speed", [0.0, None])
@pytest.mark.parametrize("permits", [(permit(),), ()])
def test_a_night_parked_at_the_depot_makes_no_checkpoint(speed: float | None, permits: tuple[PermitRow, ...]) -> None:
    night = stand(NIGHT, 2100, -500, 10 * 3600, speed=speed)
    yard = drive(NIGHT + 10 * 3600, (2050, -550), (2150, -450), metres_per_s=0.25, speed=5.0)  # 05:00: about the yard
    state, checkpoints = run(with_depot(*permits), night + yard + stand(NIGHT + 10 * 3600 + 570, 2150, -450, 600))
    assert checkpoints == []
    assert state is not None and state["at_depot"] is True and state["moving"] is False
    assert state["episodes"]["stop"]["at_depot"] is True


def test_the_drive_home_out_of_hours_ends_at_the_depot_gate() -> None:
    track = (drive(NIGHT, (4000, 0), (2100, 0), metres_per_s=5.0) + drive(NIGHT + 380, (2100, 0), (2100, -500))
             + stand(NIGHT + 430, 2100, -500, 2 * 3600))
    state, checkpoints = run(with_depot(permit()), track)
    hits = {(h.kind, h.started_at) for c in checkpoints for h in RULES.hits(VEHICLE, c)}
    assert hits == {("out_of_hours", at(NIGHT))}  # on the road only: not the off-route way in, not the night
    spell_end = [c for c in checkpoints if "out_of_hours" in c.episodes][-1]
    assert spell_end.facts["at_depot"] is False and spell_end.at < at(NIGHT + 430)
    assert spell_end.facts["out_of_hours_minutes"] == 6.83  # 0 s to 410 s: the last position outside the depot
    assert all(c.at < at(NIGHT + 430) for c in checkpoints)  # parked: nothing more
    assert state is not None and state["episodes"].keys() == {"stop"}


def test_a_stop_just_outside_the_depot_is_suspected_dumping() -> None:
    track = drive(0, (2100, 0), (2100, -300)) + stand(30, 2100, -300, 15 * 60)  # 100 m short of the depot
    _, checkpoints = run(with_depot(permit()), track)
    last = checkpoints[-1]
    assert last.facts["stop_at_site"] is False and last.facts["at_depot"] is False and last.facts["stop_minutes"] > 10
    assert "suspected_dumping" in {h.kind for h in RULES.hits(VEHICLE, last)}


@pytest.mark.parametrize(("valid", "where"), [
    ({"valid_from": at(86_400)}, (-100, 0)),  # waiting at its source site the day before its permit begins
    ({"valid_to": at(120)}, (5100, 0)),  # unloading at the disposal site as the permit ends
    ({"state": "revoked"}, (-100, 0)),
])
def test_a_stop_in_a_site_of_the_companys_permits_is_at_a_site_whatever_their_validity(
        valid: dict[str, Any], where: tuple[float, float]) -> None:
    other = permit(2, sites=(3, 4), route=((0, 2000), (5000, 2000)))  # the company's other site pair: no stop there
    track = stand(0, *where, 15 * 60) + drive(900, where, (2500, 0))
    _, checkpoints = run(areas(permit(**valid), other), track)
    stops = [c for c in checkpoints if "suspected_dumping" in c.episodes]
    assert stops and all(c.facts["stop_at_site"] is True for c in stops)
    assert "suspected_dumping" not in {h.kind for c in checkpoints for h in RULES.hits(VEHICLE, c)}
    _, elsewhere = run(areas(permit(**valid), other), stand(0, 2500, -500, 15 * 60))  # off every site: dumping
    assert "suspected_dumping" in {h.kind for c in elsewhere for h in RULES.hits(VEHICLE, c)}


def test_the_sites_of_a_permit_naming_another_truck_of_the_company_count() -> None:
    mine, theirs = permit(1, sites=(1, 2)), permit(2, sites=(3, 4))
    snapshot = RegistrySnapshot("test", sites=SITES, permits_by_vehicle={VEHICLE: (mine,), 8: (theirs,)})
    found = permit_areas(snapshot, PROJECTION)[VEHICLE]
    _, checkpoints = run(found, stand(0, -100, 2000, 15 * 60))  # inside site 3: the other permit's source site
    assert checkpoints and checkpoints[-1].facts["stop_at_site"] is True
    assert not {h.kind for c in checkpoints for h in RULES.hits(VEHICLE, c)} & {"suspected_dumping"}


def test_a_permit_whose_hours_cannot_be_read_is_left_out_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    broken = permit(1, hours=("06:00-24:30",))  # an end past midnight's 24:00: no window
    shapeless = replace(permit(3), corridor={"type": "Blob", "coordinates": []})
    with caplog.at_level(logging.WARNING, logger="city.transport.geometry"):
        found = areas(broken, permit(2, route=((0, 2000), (5000, 2000)), sites=(3, 4)), shapeless)
    assert [(type(a).__name__, a.permit_id) for a in found] == [("PermitArea", 2), ("SiteArea", 0)]
    assert "permit HZ-1" in caplog.text and "06:00-24:30" in caplog.text and "permit HZ-3" in caplog.text
    _, checkpoints = run(areas(broken), drive(0, (0, 0), (3000, 0)))  # its trucks: driving without a permit
    assert {h.kind for c in checkpoints for h in RULES.hits(VEHICLE, c)} == {"no_permit"}
