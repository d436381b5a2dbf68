"""The transport supervision views on both databases (渣土运输监管): the live list's states, a vehicle's track over a
period (the period filter, thinning to 20,000 points, the permit corridor), the alert list's filters and counts, one
alert, and who is refused (403) or told nothing is there (404) — through the API and the pages."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from api_support import ROOT, Api, error_of
from pages_support import Browser
from shapely.geometry import LineString, shape
from transport_support import (
    CORRIDOR,
    alert,
    drive,
    dumping_trip,
    fleet,
    positions,
    registry_files,
    track_state,
)

from city.package.export import export_package
from city.persistence.read import gps_views
from city.persistence.read.transport_registry import supervising_departments
from city.transport.commands import LoadTransportRegistry
from city.transport.views import thin


def _names() -> tuple[str, str, str]:
    """A fresh company code and a plate prefix (the module's city is shared by its tests)."""
    tag = uuid.uuid4().hex[:6].upper()
    return f"C{tag}", f"D{tag}", f"闽E{tag}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _period(since: datetime, until: datetime) -> str:
    return f"from={_iso(since)}&to={_iso(until)}"


def test_the_live_list_gives_each_vehicle_its_newest_position_and_state(api: Api) -> None:
    company, other, plate = _names()
    now = datetime.now(UTC)
    plates = {name: f"{plate}{name[:2].upper()}" for name in ("moving", "stopped", "silent", "alert", "none")}
    made = fleet(api.deps.db, now, {company: [plates[n] for n in ("moving", "stopped", "silent", "alert", "none")],
                                    other: [f"{plate}X"]})
    vehicles = made.vehicles
    drive(api.deps.db, plates["moving"], vehicles[plates["moving"]], now - timedelta(minutes=2), 10)
    drive(api.deps.db, plates["stopped"], vehicles[plates["stopped"]], now - timedelta(minutes=3), 5, speed=0.0)
    drive(api.deps.db, plates["silent"], vehicles[plates["silent"]], now - timedelta(hours=2), 5)
    drive(api.deps.db, plates["alert"], vehicles[plates["alert"]], now - timedelta(minutes=5), 5, speed=0.0)
    alert(api.deps.db, vehicles[plates["alert"]], made.companies[company], "suspected_dumping",
          now - timedelta(minutes=20))
    alert(api.deps.db, vehicles[plates["moving"]], made.companies[company], "off_route", now - timedelta(hours=3),
          state="dismissed")  # reviewed: no longer colours the map

    response = api.get("/transport/vehicles/live", "shiftlead01")
    assert response.status_code == 200, response.json
    found = {v["plate"]: v for v in response.json["vehicles"]}
    assert {name: found[p]["state"] for name, p in plates.items()} == {
        "moving": "moving", "stopped": "stopped", "silent": "silent", "alert": "alert", "none": "no_position"}
    moving = found[plates["moving"]]
    assert moving["company_code"] == company and moving["speed_kmh"] == 36.0
    assert (moving["lon"], moving["lat"]) == (CORRIDOR[-1][0], CORRIDOR[0][1])
    assert found[plates["alert"]]["open_alerts"] == 1 and found[f"{plate}X"]["company_code"] == other
    assert found[plates["none"]]["lon"] is None
    counts = response.json["counts"]
    assert sum(counts.values()) == len(response.json["vehicles"]) and counts["alert"] >= 1
    for reader in ("dept_c03_01", "dept_c04_01", "auditor01", "admin"):
        assert api.get("/transport/vehicles/live", reader).status_code == 200, reader
    for refused in ("collector001", "designer01"):
        error_of(api.get("/transport/vehicles/live", refused), 403)
    assert set(error_of(api.get("/transport/vehicles/live?x=1", "shiftlead01"), 422)["fields"]) == {"x"}


def test_a_track_keeps_to_its_period_and_is_thinned_evenly_beyond_20000_points(api: Api) -> None:
    company, _other, plate = _names()
    now = datetime.now(UTC).replace(microsecond=0)
    made = fleet(api.deps.db, now, {company: [plate]})
    vehicle_id = made.vehicles[plate]
    start = now - timedelta(hours=7)
    points = [(start + timedelta(seconds=i), 117.60 + i * 1e-6, 24.50, 20.0) for i in range(20_500)]
    positions(api.deps.db, plate, vehicle_id, points)
    track_state(api.deps.db, vehicle_id, points[-1][0], points[-1][1], points[-1][2])
    alert(api.deps.db, vehicle_id, made.companies[company], "off_route", start + timedelta(minutes=10),
          permit_id=made.permit_id)
    alert(api.deps.db, vehicle_id, made.companies[company], "out_of_hours", now - timedelta(days=3))

    whole = api.get(f"/transport/vehicles/{plate}/track?{_period(start, now)}", "shiftlead01")
    assert whole.status_code == 200, whole.json
    body = whole.json
    assert (body["total_points"], body["points"], body["thinned"]) == (20_500, 20_000, True)
    times = body["track"]["properties"]["times"]
    coords = body["track"]["geometry"]["coordinates"]
    assert len(times) == len(coords) == 20_000 and times == sorted(times)
    assert datetime.fromisoformat(times[0]) == start and datetime.fromisoformat(times[-1]) == points[-1][0]
    assert [a["kind"] for a in body["alerts"]] == ["off_route"]  # the one raised in the period
    permit = body["permits"][0]
    assert permit["code"] == f"P-{company}"
    assert {s["code"] for s in body["sites"]} == {f"SRC-{company}", f"DSP-{company}"}
    area = shape(permit["corridor_area"])
    assert area.contains(LineString(CORRIDOR))  # the line, buffered 100 m either side
    assert not area.contains(shape({"type": "Point", "coordinates": [117.65, 24.502 + 0.002]}))  # ~220 m off

    part_from, part_to = start + timedelta(seconds=100), start + timedelta(seconds=399)
    part = api.get(f"/transport/vehicles/{plate}/track?{_period(part_from, part_to)}", "dept_c03_01").json
    assert (part["total_points"], part["points"], part["thinned"]) == (300, 300, False)
    assert datetime.fromisoformat(part["track"]["properties"]["times"][0]) == part_from
    assert part["track"]["geometry"]["coordinates"][0] == [points[100][1], points[100][2]]
    assert part["alerts"] == []

    recent = api.get(f"/transport/vehicles/{plate}/track", "shiftlead01").json  # default: the last 24 h
    assert recent["total_points"] == 20_500 and recent["points"] == 20_000


def test_a_track_is_thinned_in_the_database_reading_at_most_the_cap(api: Api) -> None:
    company, _other, plate = _names()
    now = datetime.now(UTC).replace(microsecond=0)
    vehicle_id = fleet(api.deps.db, now, {company: [plate]}).vehicles[plate]
    start = now - timedelta(hours=2)
    points = [(start + timedelta(seconds=i), 117.60 + i * 1e-6, 24.50, float(i % 50)) for i in range(2_345)]
    positions(api.deps.db, plate, vehicle_id, points)
    with api.deps.uow(read_only=True) as uow:
        total, everything = gps_views.track(uow.store, vehicle_id, start, now, 20_000)
        assert total == len(everything) == 2_345
        for cap in (2_344, 1_000, 7, 2, 1, 0):  # more rows than the cap: only the cap leaves the database
            counted, read = gps_views.track(uow.store, vehicle_id, start, now, cap)
            assert counted == 2_345 and read == [everything[i] for i in thin(2_345, cap)], cap
        assert gps_views.track(uow.store, vehicle_id, start, start + timedelta(seconds=9), 7)[1] == [
            everything[i] for i in (0, 2, 3, 5, 6, 8, 9)]  # 10 of them in the period: the ends kept
    assert [p[1] for p in everything[:2]] == [points[0][1], points[1][1]]


def test_a_track_refuses_a_bad_period_and_an_unknown_plate(api: Api) -> None:
    company, _other, plate = _names()
    now = datetime.now(UTC)
    fleet(api.deps.db, now, {company: [plate]})
    track = f"/transport/vehicles/{plate}/track"
    assert set(error_of(api.get(f"{track}?from=2026-12-01T08:00:00", "shiftlead01"), 422)["fields"]) == {"from"}
    backwards = _period(now, now - timedelta(hours=1))
    assert set(error_of(api.get(f"{track}?{backwards}", "shiftlead01"), 422)["fields"]) == {"to"}
    too_long = _period(now - timedelta(days=32), now)
    assert set(error_of(api.get(f"{track}?{too_long}", "shiftlead01"), 422)["fields"]) == {"from"}
    assert set(error_of(api.get(f"{track}?from=1900-01-01T00:00:00Z", "shiftlead01"), 422)["fields"]) == {"from"}
    error_of(api.get("/transport/vehicles/闽E-NOBODY/track", "shiftlead01"), 404)
    error_of(api.get(track, "collector001"), 403)
    empty = api.get(track, "shiftlead01").json
    assert (empty["total_points"], empty["track"]["geometry"]["coordinates"]) == (0, [])


def _alerts(api: Api, query: str, user: str = "shiftlead01") -> dict[str, Any]:
    response = api.get(f"/transport/alerts?{query}", user)
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_the_alert_list_filters_by_company_kind_state_and_period_and_counts(api: Api) -> None:
    first, second, plate = _names()
    now = datetime.now(UTC)
    made = fleet(api.deps.db, now, {first: [f"{plate}A"], second: [f"{plate}B"]})
    a, b = made.vehicles[f"{plate}A"], made.vehicles[f"{plate}B"]
    ca, cb = made.companies[first], made.companies[second]
    ids = {"a_dump": alert(api.deps.db, a, ca, "suspected_dumping", now - timedelta(hours=1)),
           "a_route": alert(api.deps.db, a, ca, "off_route", now - timedelta(hours=2), state="confirmed"),
           "a_old": alert(api.deps.db, a, ca, "off_route", now - timedelta(days=10)),
           "b_route": alert(api.deps.db, b, cb, "off_route", now - timedelta(hours=3), state="dismissed")}

    mine = _alerts(api, f"company={first}")  # the last 7 days by default
    assert [x["id"] for x in mine["alerts"]] == [ids["a_dump"], ids["a_route"]]
    assert mine["by_company"] == [{"company_code": first, "company_name": f"{first} 渣土运输有限公司", "total": 2,
                                   "kinds": {"off_route": 1, "suspected_dumping": 1}}]
    assert mine["by_kind"] == {"off_route": 1, "suspected_dumping": 1} and mine["total"] == 2
    assert [x["id"] for x in _alerts(api, f"company={first}&kind=off_route")["alerts"]] == [ids["a_route"]]
    assert [x["id"] for x in _alerts(api, f"company={second}&state=dismissed")["alerts"]] == [ids["b_route"]]
    assert _alerts(api, f"company={second}&state=open")["alerts"] == []
    longer = _alerts(api, f"company={first}&{_period(now - timedelta(days=11), now)}")
    assert [x["id"] for x in longer["alerts"]] == [ids["a_dump"], ids["a_route"], ids["a_old"]]
    assert longer["by_kind"] == {"off_route": 2, "suspected_dumping": 1}
    both = _alerts(api, f"kind=off_route&{_period(now - timedelta(hours=4), now)}", "auditor01")
    assert {ids["a_route"], ids["b_route"]} <= {x["id"] for x in both["alerts"]}
    assert {first, second} <= {c["company_code"] for c in both["by_company"]}
    assert set(error_of(api.get("/transport/alerts?kind=speeding", "shiftlead01"), 422)["fields"]) == {"kind"}
    assert set(error_of(api.get("/transport/alerts?state=closed", "shiftlead01"), 422)["fields"]) == {"state"}
    year = _period(now - timedelta(days=400), now)
    assert set(error_of(api.get(f"/transport/alerts?{year}", "shiftlead01"), 422)["fields"]) == {"from"}
    error_of(api.get("/transport/alerts", "collector001"), 403)


def test_an_alert_shows_its_track_facts_and_permit(api: Api) -> None:
    company, _other, plate = _names()
    now = datetime.now(UTC)
    made = fleet(api.deps.db, now, {company: [plate]})
    alert_id = alert(api.deps.db, made.vehicles[plate], made.companies[company], "suspected_dumping",
                     now - timedelta(minutes=30), permit_id=made.permit_id, lon=117.66, lat=24.52)
    found = api.get(f"/transport/alerts/{alert_id}", "dept_c03_02")
    assert found.status_code == 200, found.json
    body = found.json
    assert (body["plate"], body["kind"], body["state"], body["permit_code"]) == (plate, "suspected_dumping", "open",
                                                                                  f"P-{company}")
    assert body["facts"] == {"stop_minutes": 12.5, "stop_at_site": False}
    assert body["track"]["geometry"]["coordinates"][0] == [117.66, 24.52] and body["track"]["properties"]["times"]
    assert body["permit"]["corridor_area"]["type"] == "Polygon" and len(body["sites"]) == 2
    assert body["review_case_no"] is None and body["case_no"] is None
    error_of(api.get("/transport/alerts/2147483647", "shiftlead01"), 404)
    error_of(api.get(f"/transport/alerts/{alert_id}", "collector001"), 403)


def test_the_pages_show_the_map_the_vehicle_and_the_alerts(api: Api) -> None:
    first, second, plate = _names()
    now = datetime.now(UTC)
    made = fleet(api.deps.db, now, {first: [f"{plate}A"], second: [f"{plate}B"]})
    shown = alert(api.deps.db, made.vehicles[f"{plate}A"], made.companies[first], "off_route", now - timedelta(hours=1))
    hidden = alert(api.deps.db, made.vehicles[f"{plate}B"], made.companies[second], "silent", now - timedelta(hours=1))
    lead = Browser(api, "shiftlead01")
    live = lead.get("/transport")
    assert live.status_code == 200 and 'id="transport-live-map"' in live.text and 'id="nav-transport"' in live.text
    vehicle = lead.get(f"/transport/vehicles/{plate}A")
    assert vehicle.status_code == 200 and f"P-{first}" in vehicle.text and 'id="playback-slider"' in vehicle.text
    assert lead.get("/transport/vehicles/闽E-NOBODY").status_code == 404
    listed = lead.get(f"/transport/alerts?company={first}")
    assert listed.status_code == 200
    assert f'data-alert="{shown}"' in listed.text and f'data-alert="{hidden}"' not in listed.text
    assert lead.get("/transport/alerts?kind=speeding").status_code == 422
    for far in ("to=0001-01-01", "from=9999-12-31", "to=9999-12-31", "from=1999-12-31&to=2000-01-01"):
        refused = lead.get(f"/transport/alerts?{far}")  # as the API: a day in 2000–2999, said on the page
        assert refused.status_code == 422 and "2000–2999" in refused.text, far
    detail = lead.get(f"/transport/alerts/{shown}")
    assert detail.status_code == 200 and 'id="alert-map"' in detail.text
    assert lead.get("/transport/alerts/2147483647").status_code == 404
    english = lead.get("/transport/alerts?lang=en")
    assert "Transport alerts" in english.text
    collector = Browser(api, "collector001")
    assert collector.get("/transport").status_code == 403
    assert 'id="nav-transport"' not in collector.get("/").text


def test_only_the_supervising_departments_members_read_transport(api: Api) -> None:
    company, _other, plate = _names()
    now = datetime.now(UTC)
    made = fleet(api.deps.db, now, {company: [plate]})
    alert_id = alert(api.deps.db, made.vehicles[plate], made.companies[company], "off_route", now - timedelta(hours=1))
    routes = ["/transport/vehicles/live", f"/transport/vehicles/{plate}/track", "/transport/alerts",
              f"/transport/alerts/{alert_id}", "/transport/companies", "/transport/vehicles", "/transport/sites",
              "/transport/permits"]
    pages = ["/transport", f"/transport/vehicles/{plate}", "/transport/alerts", f"/transport/alerts/{alert_id}"]
    for outsider in ("dept_c01_01", "dept_c02_01"):  # departments the city package does not name in transport.json
        for route in routes:
            error_of(api.get(route, outsider), 403)
        browser = Browser(api, outsider)
        for page in pages:
            assert browser.get(page).status_code == 403, (outsider, page)
        assert 'id="nav-transport"' not in browser.get("/").text
    for reader in ("dept_c03_01", "dept_c04_01", "shiftlead01", "auditor01", "admin"):  # C03 works the reviews
        for route in routes:
            assert api.get(route, reader).status_code == 200, (reader, route)
        browser = Browser(api, reader)
        assert all(browser.get(page).status_code == 200 for page in pages), reader
        assert 'id="nav-transport"' in browser.get("/transport").text
    with api.deps.uow(read_only=True) as uow:
        assert supervising_departments(uow.store) == {"C03", "C04"}  # the demo city's transport.json


def test_the_city_export_gives_the_transport_settings_back(api: Api, tmp_path: Path) -> None:
    source = json.loads((ROOT / "config" / "city" / "zhangzhou" / "transport.json").read_text("utf-8"))
    export_package(api.deps, tmp_path / "city")
    assert json.loads((tmp_path / "city" / "transport.json").read_text("utf-8")) == source


def test_the_views_read_what_the_registry_load_and_the_gps_ingest_wrote(api: Api) -> None:
    tag = uuid.uuid4().hex[:5].upper()
    plate, start = f"闽EV{tag}", datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    api.bus.handle(LoadTransportRegistry(registry_files(tag, [plate], start), "admin"))
    trip = dumping_trip(f"GV-{tag}-1", start)
    sent = api.post("/gps/positions", "admin", {"positions": trip, "source": "tests"})
    assert sent.status_code == 200, sent.json
    assert [a["kind"] for a in sent.json["alerts"]] == ["suspected_dumping"]

    (live,) = [v for v in api.get("/transport/vehicles/live", "shiftlead01").json["vehicles"] if v["plate"] == plate]
    assert (live["state"], live["open_alerts"], live["lon"]) == ("alert", 1, trip[-1]["lon"])
    assert live["speed_kmh"] is None  # its newest position is older than the live map's 10 minutes
    track = api.get(f"/transport/vehicles/{plate}/track?{_period(start, start + timedelta(hours=1))}",
                    "shiftlead01").json
    assert track["total_points"] == len(trip) and track["permits"][0]["code"] == f"PV{tag}"
    assert track["track"]["geometry"]["coordinates"][10] == [trip[10]["lon"], trip[10]["lat"]]
    assert [a["kind"] for a in track["alerts"]] == ["suspected_dumping"]

    listed = _alerts(api, f"company=TV{tag}")
    (row,) = listed["alerts"]
    assert (row["plate"], row["kind"], row["state"], row["permit_code"]) == (plate, "suspected_dumping", "open",
                                                                              f"PV{tag}")
    assert row["review_case_no"] and row["case_no"] == sent.json["alerts"][0]["case_no"]
    assert listed["by_kind"] == {"suspected_dumping": 1}
    detail = api.get(f"/transport/alerts/{row['id']}", "auditor01").json
    assert detail["facts"]["stop_minutes"] > 10 and detail["facts"]["stop_at_site"] is False
    segment = detail["track"]
    assert len(segment["geometry"]["coordinates"]) == len(segment["properties"]["times"]) >= 20
    page = Browser(api, "shiftlead01").get(f"/transport/alerts/{row['id']}")
    assert f'/cases/{row["case_no"]}"' in page.text and f'/cases/{row["review_case_no"]}"' in page.text
