"""The campaign progress map's overdue colour in a real browser (Debian's Chromium): the app runs in this process
over a copy of the seeded city on a fake clock (served by werkzeug in a thread), so time moves as in the other
tests. A campaign over two grids of a street: one swept (green), one untouched (grey, not overdue) — then the clock
moves past the period's end (the sweep's due time) and the page draws the untouched grid in the overdue red
(#dc2626), counts it overdue, lists it among the overdue grids, and a click on the red says 已超期."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browser_support import sign_in, unused_port
from city_template import sqlite_city
from werkzeug.serving import make_server

from city.bootstrap import bootstrap
from city.campaigns.commands import RecordSweepCheck, StartCampaign
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.persistence.db import create_db_engine
from engine.service.bus import MessageBus
from web.app import create_app
from web.settings import Settings

STREET = "350602006000"  # the demo city's smallest street (83 unit grids)
COLLECTOR = "collector001"  # works collector:350602
RED = (220, 38, 38)  # the map's overdue colour
GREEN = (22, 163, 74)  # done
# the map's overlay canvas: (pixels of the colour, and one of them in page coordinates) for ``rgb``
PIXELS = """rgb => {
  const canvas = document.querySelector('#campaign-map canvas');
  const box = canvas.getBoundingClientRect(), ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0, at = null;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 150 && Math.abs(data[i] - rgb[0]) < 10 && Math.abs(data[i + 1] - rgb[1]) < 10
        && Math.abs(data[i + 2] - rgb[2]) < 10) {
      count += 1;
      const p = i / 4, x = p % canvas.width, y = Math.floor(p / canvas.width);
      if (!at || count === 50) {
        at = [box.left + x * box.width / canvas.width, box.top + y * box.height / canvas.height];
      }
    }
  }
  return [count, at];
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, MessageBus, FakeClock]]:
    """The app over a copy of the seeded city with a fake clock, served in a thread: (base URL, bus, clock)."""
    url = sqlite_city(tmp_path_factory, tmp_path_factory.mktemp("overdue_map"))
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "e2e-overdue"})
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    db = create_db_engine(url)
    bus = bootstrap(db, clock, working_time=settings.working_time(), workflows_dir=settings.workflows_dir)
    server = make_server("127.0.0.1", unused_port(), create_app(settings, bus), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}", bus, clock
    finally:
        server.shutdown()
        db.dispose()


def _two_grids(bus: MessageBus) -> tuple[int, str, str]:
    """A week's campaign over two grids of ``STREET`` for topic C01, the first grid swept: (id, swept, untouched)."""
    with bus.deps.uow(read_only=True) as uow:
        found = uow.store._execute("SELECT u.code FROM unit_grids u JOIN resp_grids r ON r.code = u.resp_grid_code"
                                   " WHERE r.street_code = ? ORDER BY u.code LIMIT 2", (STREET,)).fetchall()
    swept, untouched = str(found[0][0]), str(found[1][0])
    now = bus.deps.clock.now()
    campaign = bus.handle(StartCampaign("超期普查 e2e", "census", ("C01",), {"grids": [swept, untouched]}, now,
                                        now + timedelta(days=7), (), "shiftlead01"))["campaign_id"]
    for item, result, count in (("damaged", "clear", None), ("missing", "clear", None), ("uneven", "clear", None),
                                ("total", "count", 3)):
        bus.handle(RecordSweepCheck(campaign, swept, "C01", item, result, count, COLLECTOR))
    with bus.deps.uow(read_only=True) as uow:
        (task,) = uow.store._execute("SELECT h.id FROM human_tasks h JOIN campaign_grids g ON g.case_id = h.case_id"
                                     " WHERE g.campaign_id = ? AND g.grid_code = ? AND h.state = 'ready'",
                                     (campaign, swept)).fetchone()
    bus.handle(c.CompleteHumanTask(task, {}, COLLECTOR, claim_if_free=True))
    return campaign, swept, untouched


def _drawn(page: Any, url: str) -> tuple[int, int, Any]:
    """The progress page loaded and drawn: (red pixels, green pixels, a red pixel's page position)."""
    page.goto(url)
    page.wait_for_selector("#campaign-map[data-ready='1']")
    page.wait_for_function("document.querySelector('#campaign-map canvas')")
    red, at = page.evaluate(PIXELS, list(RED))
    green, _ = page.evaluate(PIXELS, list(GREEN))
    return red, green, at


def test_an_overdue_grid_is_drawn_red_and_listed(browser: Any, served: tuple[str, MessageBus, FakeClock]) -> None:
    base, bus, clock = served
    campaign, _, untouched = _two_grids(bus)
    lead = sign_in(browser, base, "shiftlead01", viewport={"width": 1280, "height": 900})
    url = f"{base}/campaigns/{campaign}"
    red, green, _ = _drawn(lead, url)
    assert red == 0 and green > 100  # in time: the swept grid green, the other grey
    assert lead.locator('#campaign-counts [data-state="overdue"] b').inner_text() == "0"
    assert untouched not in lead.locator("ol.overdue-grids, aside .empty").first.inner_text()

    clock.advance(timedelta(days=7, hours=1))  # past the period's end: the open sweep's due time
    red, green, at = _drawn(lead, url)
    assert red > 100 and green > 100 and at is not None
    assert lead.locator('#campaign-counts [data-state="overdue"] b').inner_text() == "1"
    assert lead.locator("ol.overdue-grids li").all_inner_texts() == [untouched]
    lead.mouse.click(at[0], at[1])
    info = lead.locator("#campaign-grid-info").inner_text()
    assert untouched in info and "已超期" in info, info
    lead.context.close()
