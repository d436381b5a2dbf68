"""The exchange's scheduled runs (RunDueExchanges, run by ``gridcase scheduler`` every minute) and who may run an
export by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api
from exchange_support import add_connector, drop, exchange_api, outbox_files, read_export, report, rows

from city.exchange.commands import RunDueExchanges, RunExchangeExport
from city.exchange.runs import SCHEDULE
from engine.domain.errors import NotAllowed, NotFound


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from exchange_api(city, tmp_path)


def _exports(api: Api, code: str) -> int:
    return int(rows(api, "SELECT COUNT(*) FROM exchange_batches WHERE connector = :code AND direction = 'export'",
                    code=code)[0][0])


def test_the_scheduler_exports_a_connector_once_its_period_passed_then_reads_its_inbox(api: Api,
                                                                                      tmp_path: Path) -> None:
    assert [command for _, command in SCHEDULE] == [RunDueExchanges]  # what gridcase scheduler runs
    add_connector(api, "run_a", tmp_path, every_minutes=15)
    add_connector(api, "run_off", tmp_path / "off", active=False)
    assert "run_a" in api.bus.handle(RunDueExchanges())["due"]  # never run: at once (the module's past cases)
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    number = report(api)
    before = _exports(api, "run_a")
    api.clock.advance(minutes=5)  # type: ignore[attr-defined]
    assert "run_a" not in api.bus.handle(RunDueExchanges())["due"]  # 6 of its 15 minutes: not yet
    assert _exports(api, "run_a") == before
    drop(tmp_path, "assign_x.json", b"not json")
    api.clock.advance(minutes=9)  # type: ignore[attr-defined]
    result = api.bus.handle(RunDueExchanges())
    assert "run_a" in result["due"] and "run_off" not in result["due"]
    assert _exports(api, "run_a") == before + 1
    assert [r["case_no"] for r in read_export(outbox_files(tmp_path)[-1])["records"]] == [number]
    assert rows(api, "SELECT created_by FROM exchange_batches WHERE connector = 'run_a' ORDER BY id DESC"
                     " LIMIT 1")[0][0] == "connector:run_a"
    assert (tmp_path / "inbox" / "refused" / "assign_x.json").exists()  # the inbox was read after the export
    assert "run_a" not in api.bus.handle(RunDueExchanges())["due"]


def test_only_admins_and_the_connectors_own_runs_export(api: Api, tmp_path: Path) -> None:
    add_connector(api, "run_b", tmp_path)
    with pytest.raises(NotAllowed):
        api.bus.handle(RunExchangeExport("run_b", "shiftlead01"))
    with pytest.raises(NotAllowed):
        api.bus.handle(RunExchangeExport("run_b", "connector:other"))
    with pytest.raises(NotFound) as missing:
        api.bus.handle(RunExchangeExport("no_such", "admin"))
    assert missing.value.field == "connector"
    assert api.bus.handle(RunExchangeExport("run_b", "connector:run_b"))["connector"] == "run_b"


def test_one_connectors_failure_never_stops_the_others_runs(api: Api, tmp_path: Path) -> None:
    # the bus goes on with the next follow-up only after a GridcaseError: a broken folder (an OSError) or a bug in
    # one connector's run stopped every later connector's, every minute
    poison, victim = tmp_path / "poison", tmp_path / "victim"
    poison.mkdir()
    (poison / "outbox").write_text("a file where the outbox folder should be")
    add_connector(api, "run_c_poison", poison)
    add_connector(api, "run_d_victim", victim)
    drop(poison, "assign_x.json", b"not json")
    drop(victim, "assign_x.json", b"not json")
    report(api)
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    result = api.bus.handle(RunDueExchanges())
    assert {"run_c_poison", "run_d_victim"} <= set(result["due"])
    assert _exports(api, "run_c_poison") == 0 and _exports(api, "run_d_victim") == 1
    assert (poison / "inbox" / "refused" / "assign_x.json").exists()  # its inbox read though its export failed
    assert (victim / "inbox" / "refused" / "assign_x.json").exists()
