"""``gridcase bench public``'s intake figures: Open311 ``POST requests`` beside a seat operator's ``POST /cases``
with the same subtypes and places, the Open311 reads over the public requests, and signed 12345 work orders
(``POST /connectors/<code>/orders``, and the same order again: the idempotent path).

Every call goes through the Flask app's test client (``App.client``: the command line builds the app — the bench
layer sits below the web layer), so the figures are the app's own work without a network in between."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.campaign_bench import _ms
from engine.service.bus import MessageBus

PASSWORD = "gridcase-demo"  # the demo people's (demo/seed)
SEAT = "seat01"
POINT = (117.65, 24.51)  # lon, lat in district 350602 (石亭街道), where 0601/0602 have a department
SUBTYPES = ("0601", "0602")  # 暴露垃圾, the next street-cleaning subtype: the same plan for every channel
CATEGORIES = {"HJWS-001": "0601", "HJWS-002": "0602"}  # the hotline's categories → the city's subtypes
HOTLINE = "bench-12345"
SECRET_ENV = "GRIDCASE_BENCH_HOTLINE_SECRET"


@dataclass
class App:
    """The Flask app over the bench database, as the command line built it: its test client, its bus, and how to
    close it (its live feed and connections)."""

    client: Any  # flask.testing.FlaskClient
    bus: MessageBus
    close: Callable[[], None]


def place(n: int) -> tuple[str, float, float]:
    """Report ``n``'s subtype, lon and lat: the subtypes in turn, a few metres apart (one street office)."""
    lon, lat = POINT
    return SUBTYPES[n % len(SUBTYPES)], round(lon + (n % 10) * 0.00005, 6), round(lat + (n // 10 % 10) * 0.00005, 6)


def token(app: App, username: str) -> str:
    """A bearer token, signed in with the demo password through the API."""
    answer = app.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    if answer.status_code != 200:
        raise RuntimeError(f"signing {username} in: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
    return str(answer.get_json()["token"])


def timed(calls: list[Callable[[], Any]], expect: tuple[int, ...], warm: int = 0) -> tuple[list[Any], dict[str, Any]]:
    """Run the calls one after another; their answers and the figures (per second, p50/p95) of all but the first
    ``warm`` (made, not measured: a path's first call loads caches). A status outside ``expect`` stops the bench:
    a figure of refused calls would measure the refusal."""
    answers = [_checked(call(), expect) for call in calls[:warm]]
    took: list[float] = []
    started = time.perf_counter()
    for call in calls[warm:]:
        began = time.perf_counter()
        answer = call()
        took.append(time.perf_counter() - began)
        answers.append(_checked(answer, expect))
    elapsed = time.perf_counter() - started
    return answers, {**_ms(took), "seconds": round(elapsed, 3), "warm_up_calls": warm,
                     "per_s": round(len(took) / elapsed, 1) if elapsed else None}


def _checked(answer: Any, expect: tuple[int, ...]) -> Any:
    if answer.status_code not in expect:
        raise RuntimeError(f"HTTP {answer.status_code}: {answer.get_data(as_text=True)[:500]}")
    return answer


def _ratio(one: dict[str, Any], other: dict[str, Any]) -> dict[str, float | None]:
    """``one`` / ``other``: of the time per call (mean, p50, p95) — above 1 means ``one`` is slower."""
    def share(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a and b else None
    return {"mean_time": share(other["per_s"], one["per_s"]), "p50": share(one["p50_ms"], other["p50_ms"]),
            "p95": share(one["p95_ms"], other["p95_ms"])}


def open311_vs_staff(app: App, api_key: str, count: int) -> tuple[list[str], dict[str, Any]]:
    """``count`` Open311 POSTs and ``count`` seat-operator reports of the same plan, each after one warm-up call
    of its own (not measured); the Open311 ids (``count`` + 1) and the figures."""
    def open311(n: int) -> Callable[[], Any]:
        subtype, lon, lat = place(n)
        form = {"api_key": api_key, "service_code": subtype, "lat": str(lat), "long": str(lon),
                "description": f"公众上报 bench {n}: 路边垃圾堆积", "address_string": f"石亭街道 {n} 号"}
        return lambda: app.client.post("/open311/v2/requests.json", data=form)

    headers = {"Authorization": f"Bearer {token(app, SEAT)}"}

    def staff(n: int) -> Callable[[], Any]:
        subtype, lon, lat = place(n)
        body = {"subtype_code": subtype, "description": f"热线受理 bench {n}: 路边垃圾堆积", "lon": lon, "lat": lat,
                "channel": "hotline", "external_id": f"bench-staff-{n}"}
        return lambda: app.client.post("/api/v1/cases", json=body, headers=headers)

    answers, public = timed([open311(n) for n in range(count + 1)], (200, 201), warm=1)
    _, seat = timed([staff(n) for n in range(count + 1)], (201,), warm=1)
    ids = [str(a.get_json()[0]["service_request_id"]) for a in answers]
    return ids, {"requests": count, "open311_post": public, "staff_post": seat,
                 "open311_vs_staff": _ratio(public, seat)}


def open311_reads(app: App, ids: list[str], repeats: int) -> dict[str, Any]:
    """The list (all, default 90 days; one service code) ``repeats`` times each, and every request by its id.
    The first list call warms the path up, unmeasured."""
    def get(path: str) -> Callable[[], Any]:
        return lambda: app.client.get(path)

    listed, every = timed([get("/open311/v2/requests.json")] * (repeats + 1), (200,), warm=1)
    _, by_code = timed([get(f"/open311/v2/requests.json?service_code={SUBTYPES[0]}")] * repeats, (200,))
    _, one = timed([get(f"/open311/v2/requests/{number}.json") for number in ids], (200,))
    return {"list_all": {**every, "requests_listed": len(listed[0].get_json())},
            "list_by_service_code": by_code, "one_request": one}


def hotline_config(port: int) -> dict[str, Any]:
    """The bench's 12345 connector, pushing every stage to the local receiver on ``port``."""
    stages = {"received": "10", "filed": "20", "dispatched": "30", "disposed": "40", "closed": "50", "voided": "90"}
    return {"code": HOTLINE, "kind": "hotline", "name": "12345 热线 bench", "active": True, "secret_env": SECRET_ENV,
            "inbound": {"field_map": {"order_id": "gdbh", "content": "sqnr", "lon": "location.lng",
                                      "lat": "location.lat", "deadline": "blsx", "category": "sqlb",
                                      "address": "sjdz", "urgency": "jjcd"},
                        "category_map": CATEGORIES, "urgency_map": {"1": "urgent"},
                        "deadline_format": "%Y-%m-%d %H:%M:%S"},
            "outbound": {"url": f"http://127.0.0.1:{port}/gdfk", "stage_map": stages,
                         "body": {"gdbh": "order_id", "ajbh": "case_no", "zt": "status", "jd": "stage",
                                  "ztmc": "stage_label", "cbdw": "department", "cljg": "result"},
                         "timeout_seconds": 5, "backoff_seconds": 30}}


def _order(n: int) -> bytes:
    subtype, lon, lat = place(n)
    category = next(code for code, ours in CATEGORIES.items() if ours == subtype)
    deadline = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    body = {"gdbh": f"BENCH{n:06d}", "sqnr": f"12345 转办 bench {n}: 小区门口垃圾堆积", "sqlb": category,
            "location": {"lng": lon, "lat": lat}, "blsx": deadline, "sjdz": f"石亭街道 {n} 号", "jjcd": "2"}
    return json.dumps(body, ensure_ascii=False).encode()


def _signed(app: App, secret: str, raw: bytes) -> Callable[[], Any]:
    def post() -> Any:
        stamp = str(int(time.time()))  # signed when sent, as the sender does
        sign = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        return app.client.post(f"/connectors/{HOTLINE}/orders", data=raw, content_type="application/json",
                               headers={"X-Gridcase-Timestamp": stamp, "X-Gridcase-Signature": sign})
    return post


def hotline_orders(app: App, secret: str, count: int, staff: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """``count`` signed orders and the first ones (up to 50) again, each series after one unmeasured warm-up
    call; the new cases' numbers and the figures."""
    bodies = [_order(n) for n in range(count + 1)]
    answers, orders = timed([_signed(app, secret, raw) for raw in bodies], (201,), warm=1)
    again = bodies[:max(1, min(count, 50)) + 1]
    repeated, duplicate = timed([_signed(app, secret, raw) for raw in again], (200,), warm=1)
    if any(a.get_json()["created"] for a in repeated):
        raise RuntimeError("a repeated order made a second case")
    numbers = [str(a.get_json()["case_no"]) for a in answers]
    return numbers, {"orders": count, "order_post": orders, "orders_vs_staff": _ratio(orders, staff),
                     "duplicate_order_post": duplicate}
