"""The emergency assembly phone page in a real browser (Debian's Chromium, 390×844): a shift lead declares an
emergency through the API calling one department's team; dept_c12_02, signed in on a phone whose geolocation
permission is granted (Playwright sets the position), opens the page the assembly notification links to, taps
收到 acknowledge, then 到达集合点 check in — the position filled in by the phone — and the call is checked in at that
position (the scheduler beside the server sent the notifications). On a phone that denies geolocation, dept_c12_03
gets a small map centred on the assembly point instead, taps where they are, and is checked in there."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from browser_support import PASSWORD

PHONE = {"width": 390, "height": 844}
WHERE = {"longitude": 117.6512, "latitude": 24.5123}
POINT = (117.64924, 24.5071)  # the demo city's assembly point (config/city/zhangzhou/emergency_defaults.json)


def _token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["token"])


def _call(base: str, username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {_token(base, username)}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{base}/api/v1{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _my_call(base: str, emergency_id: int, username: str) -> dict[str, Any]:
    teams = _call(base, "supervisor01", "GET", f"/emergencies/{emergency_id}/assembly")["teams"]
    return next(c for t in teams for c in t["calls"] if c["username"] == username)


def _declare(base: str) -> int:
    """A typhoon over 350602 calling department C12 (its assembly point the city's default); the calls sent."""
    now = datetime.now(UTC)
    declared = _call(base, "shiftlead01", "POST", "/emergencies", {
        "kind": "typhoon", "level": "II", "area": {"districts": ["350602"]}, "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=12)).isoformat(), "commander": "supervisor01", "name": "台风 e2e",
        "teams": [{"name": "生态环境局 C12", "departments": ["C12"], "leader": "dept_c12_01"}]})
    emergency_id = int(declared["id"])
    deadline = time.monotonic() + 30
    while _my_call(base, emergency_id, "dept_c12_02")["notified_at"] is None:  # the scheduler's connector loop
        assert time.monotonic() < deadline, "the assembly call was never sent"
        time.sleep(0.3)
    return emergency_id


def _acknowledged_on_a_phone(browser: Any, base: str, emergency_id: int, username: str, **options: Any) -> Any:
    """``username`` signed in on a phone (``options``: Playwright's context options), 收到 tapped; (context, page)."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True, **options)
    phone = context.new_page()
    phone.goto(f"{base}/login?next=/emergencies/{emergency_id}/assembly/me")
    phone.fill("#username", username)
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_load_state("networkidle")
    phone.goto(f"{base}/emergencies/{emergency_id}/assembly/me")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.click("#acknowledge")
    phone.wait_for_selector("#check-in")
    assert _my_call(base, emergency_id, username)["state"] == "acknowledged"
    return context, phone


def test_a_called_person_acknowledges_and_checks_in_on_a_phone(browser: Any, city_server: str) -> None:
    base = city_server
    emergency_id = _declare(base)
    context, phone = _acknowledged_on_a_phone(browser, base, emergency_id, "dept_c12_02", geolocation=WHERE,
                                              permissions=["geolocation"])
    phone.wait_for_selector("#position-status[data-located='1']")
    assert float(phone.input_value("#lon")) == WHERE["longitude"]
    assert phone.locator("#check-in-map").is_hidden()  # the phone gave its position: no map
    phone.click("#check-in")
    phone.wait_for_selector("#checked-in")
    call = _my_call(base, emergency_id, "dept_c12_02")
    assert call["state"] == "checked_in" and call["checked_in_at"] is not None
    assert (round(call["check_in_lon"], 4), round(call["check_in_lat"], 4)) == (WHERE["longitude"],
                                                                                WHERE["latitude"])
    context.close()


def test_without_a_position_the_person_taps_the_map(browser: Any, city_server: str) -> None:
    base = city_server
    emergency_id = _declare(base)
    context, phone = _acknowledged_on_a_phone(browser, base, emergency_id, "dept_c12_03")  # geolocation denied
    phone.wait_for_selector("#check-in-map .leaflet-interactive")  # the assembly point drawn
    assert phone.is_disabled("#check-in") and phone.get_attribute("#position-status", "data-located") is None
    box = phone.locator("#check-in-map").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    phone.locator("#check-in-map").tap(position={"x": box["width"] / 2 + 60, "y": box["height"] / 2 - 40})
    phone.wait_for_selector("#position-status[data-located='1']")
    lon, lat = float(phone.input_value("#lon")), float(phone.input_value("#lat"))
    assert lon > POINT[0] and lat > POINT[1]  # right of and above the assembly point, where the tap was
    assert abs(lon - POINT[0]) < 0.005 and abs(lat - POINT[1]) < 0.005  # zoom 16: 60 px is ~80 m
    phone.click("#check-in")
    phone.wait_for_selector("#checked-in")
    call = _my_call(base, emergency_id, "dept_c12_03")
    assert call["state"] == "checked_in"
    assert (round(call["check_in_lon"], 6), round(call["check_in_lat"], 6)) == (lon, lat)
    context.close()
