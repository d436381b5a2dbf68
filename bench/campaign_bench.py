"""``gridcase bench campaign``: a census campaign over every unit grid with every census topic, through the API.

A fresh database (a temporary SQLite file, or a schema of its own in the given PostgreSQL, dropped after) gets the
demo city and the deployed models as an operator would (``db upgrade``, ``demo seed``, ``process deploy``), and a
web server runs over it as in production (``gridcase serve --prod``: gunicorn, 2 workers × 4 threads). Then:

1. a shift lead ``POST /api/v1/campaigns`` over every district (or the first ``grids`` unit grids) with all the
   census topics — one transaction starts the campaign case and a sweep case per grid: ``start_seconds``;
2. ``findings`` findings are reported through ``POST /api/v1/campaigns/{id}/grids/{grid}/findings`` by the grids'
   collectors (``writers`` threads), spread over grids and topics, each a lifecycle case at 立案 (channel census):
   ``findings_per_second``, the calls' p50/p95;
3. meanwhile another thread reads the progress page (``/campaigns/{id}``, signed in) and its map's states
   (``/api/v1/campaigns/{id}/grids``) in turn: their p50/p95 in ms while findings are written, and again at rest.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import threading
import time
import urllib.parse
from itertools import cycle
from typing import Any

from bench.cutover_bench import _gridcase
from bench.jobs_bench import bench_database
from bench.web_bench import served
from city.bootstrap import bootstrap
from city.persistence.read import campaign_pages
from engine.domain.clock import SystemClock
from engine.persistence.db import create_db_engine
from engine.persistence.read import city

PASSWORD = "gridcase-demo"  # the demo people's (demo/seed)
LEAD = "shiftlead01"
WORKER_TIMEOUT = "600"  # gunicorn's --timeout: the start of a 4226-grid campaign is one long request


class Client:
    """One keep-alive HTTP connection to the server, with a bearer token or a signed-in session."""

    def __init__(self, port: int, username: str | None = None, *, session: bool = False) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers: dict[str, str] = {}
        if username and session:
            self._sign_in(username)
        elif username:
            status, body = self.call("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
            assert status == 200, body
            self.headers["Authorization"] = f"Bearer {body['token']}"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """Send a JSON request; (status, decoded JSON or text). A keep-alive connection the server closed while
        idle (gunicorn's keepalive: 2 s) is opened again and the request sent once more — the bench's POSTs are
        idempotent (a finding's key)."""
        headers = {**self.headers, "Content-Type": "application/json"}
        data = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            self.conn.close()
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode()
        kind = response.getheader("Content-Type") or ""
        return response.status, json.loads(text) if "json" in kind and text else text

    def _sign_in(self, username: str) -> None:
        self.conn.request("GET", "/login")
        response = self.conn.getresponse()
        page = response.read().decode()
        self._keep_cookie(response)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token.group(1) if token else ""})
        self.conn.request("POST", "/login", body=form, headers={
            **self.headers, "Content-Type": "application/x-www-form-urlencoded"})
        response = self.conn.getresponse()
        response.read()
        assert response.status == 302, response.status
        self._keep_cookie(response)

    def _keep_cookie(self, response: http.client.HTTPResponse) -> None:
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.headers["Cookie"] = cookie.split(";", 1)[0]


def _ms(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(values), "p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def _city(url: str) -> dict[str, Any]:
    """The districts, every unit grid's centre and district, and a collector per district."""
    db = create_db_engine(url)
    deps = bootstrap(db, SystemClock()).deps
    with deps.uow(read_only=True) as uow:
        districts = [code for code, _ in city.districts(uow.store)]
        grids = [(code, district) for code, _, district, _ in city.unit_grids(uow.store)]
        centres = {code: campaign_pages.grid_centre(uow.store, code) for code, _ in grids}
        people = city.users(uow.store)
    db.dispose()
    collectors: dict[str, str] = {}
    for person in people:
        if person["role"] == "collector" and person.get("district_code"):
            collectors.setdefault(person["district_code"], person["username"])
    return {"districts": districts, "grids": grids, "centres": centres, "collectors": collectors}


def _start(lead: Client, topics: list[str], area: dict[str, Any]) -> tuple[int, float]:
    body = {"name": "普查 bench", "kind": "census", "topics": topics, "area": area,
            "starts_at": "2026-01-05T00:00:00+08:00", "ends_at": "2027-12-31T00:00:00+08:00"}
    started = time.perf_counter()
    status, answer = lead.call("POST", "/api/v1/campaigns", body)
    elapsed = time.perf_counter() - started
    assert status == 201, str(answer)[:2000]
    return int(answer["campaign_id"]), elapsed
def _plan(count: int, grids: list[tuple[str, str]], topics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``count`` findings spread over the grids and topics: finding i in grid i mod n, topic i mod 54, the topic's
    first item that names subtypes."""
    items = []
    for topic in topics:
        item = next((i for i in topic["items"] if i.get("subtypes")), None)
        if item is not None:
            items.append((topic["code"], item["code"], item["subtypes"][0]))
    plan = []
    for n, ((grid, district), (topic, item, subtype)) in enumerate(zip(cycle(grids), cycle(items))):
        if n >= count:
            break
        plan.append({"n": n, "grid": grid, "district": district, "topic": topic, "item": item, "subtype": subtype})
    return plan


def _write(port: int, campaign: int, plan: list[dict[str, Any]], people: dict[str, str], centres: dict[str, Any],
           took: list[float], errors: list[str]) -> None:
    clients = {district: Client(port, username) for district, username in people.items()}
    for f in plan:
        lon, lat = centres[f["grid"]]
        body = {"topic_code": f["topic"], "item_code": f["item"], "finding_key": f"bench-{f['n']}", "kind": "case",
                "subtype_code": f["subtype"], "description": "普查发现 bench", "lon": lon, "lat": lat}
        started = time.perf_counter()
        status, answer = clients[f["district"]].call(
            "POST", f"/api/v1/campaigns/{campaign}/grids/{f['grid']}/findings", body)
        took.append(time.perf_counter() - started)
        if status != 201:
            errors.append(f"{status} {str(answer)[:300]}")


def _sample(port: int, campaign: int, stop: threading.Event, pages: list[float], states: list[float],
            limit: float | None = None) -> None:
    """Read the progress page and its map's states in turn until ``stop`` (or ``limit`` seconds)."""
    page, api = Client(port, LEAD, session=True), Client(port, LEAD)
    ends = time.perf_counter() + limit if limit else None
    while not stop.is_set() and (ends is None or time.perf_counter() < ends):
        started = time.perf_counter()
        status, _ = page.call("GET", f"/campaigns/{campaign}")
        pages.append(time.perf_counter() - started)
        assert status == 200, status
        started = time.perf_counter()
        status, _ = api.call("GET", f"/api/v1/campaigns/{campaign}/grids")
        states.append(time.perf_counter() - started)
        assert status == 200, status
        time.sleep(0.05)


def _record(port: int, campaign: int, plan: list[dict[str, Any]], found: dict[str, Any],
            writers: int) -> dict[str, Any]:
    """The findings written by ``writers`` threads while the progress page is sampled."""
    took: list[float] = []
    errors: list[str] = []
    pages: list[float] = []
    states: list[float] = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(port, campaign, stop, pages, states))
    threads = [threading.Thread(target=_write, args=(port, campaign, plan[k::writers], found["collectors"],
                                                     found["centres"], took, errors)) for k in range(writers)]
    sampler.start()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    return {"findings": len(plan), "findings_seconds": round(elapsed, 1),
            "findings_per_second": round(len(plan) / elapsed, 1) if elapsed else None, "finding_call": _ms(took),
            "finding_errors": len(errors), "first_errors": errors[:3],
            "progress_page_during": _ms(pages), "grid_states_during": _ms(states)}


def run(database_url: str | None = None, findings: int = 14055, grids: int | None = None,
        writers: int = 2) -> dict[str, Any]:
    """Seed, start the campaign, record the findings while sampling the progress page; the figures."""
    with bench_database(database_url, "campaign") as url:
        prepared = time.perf_counter()
        for args in (("db", "upgrade"), ("demo", "seed"), ("process", "deploy", "workflows", "rules")):
            _gridcase(url, *args)
        seeding = time.perf_counter() - prepared
        found = _city(url)
        with served(url, 2, 4, {"GRIDCASE_WORKER_TIMEOUT": WORKER_TIMEOUT}) as port:
            lead = Client(port, LEAD)
            topics = lead.call("GET", "/api/v1/campaign-topics?group=census")[1]["topics"]
            chosen = found["grids"][:grids] if grids else found["grids"]
            area = {"grids": [code for code, _ in chosen]} if grids else {"districts": found["districts"]}
            campaign, start_seconds = _start(lead, [t["code"] for t in topics], area)
            figures = _record(port, campaign, _plan(findings, chosen, topics), found, writers)
            pages: list[float] = []
            states: list[float] = []
            _sample(port, campaign, threading.Event(), pages, states, 10.0)
            counts = lead.call("GET", f"/api/v1/campaigns/{campaign}/grids")[1]["counts"]
    return {"database": "postgresql" if url.startswith("postgresql") else "sqlite", "grids": len(chosen),
            "topics": len(topics), "seed_seconds": round(seeding, 1), "start_seconds": round(start_seconds, 2),
            **figures, "progress_page_at_rest": _ms(pages), "grid_states_at_rest": _ms(states), "grid_states": counts,
            "targets": {"start_seconds": 30, "progress_page_p95_ms": 300}}
