"""The example upper_level connector (config/connectors/upper_level.example.json) loads through the connectors'
LoadConnectors and then runs on the scheduler's command (its own module: a load deactivates connectors it omits)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api
from exchange_support import ROOT, exchange_api, outbox_files, read_export, report

from city.connectors.commands import LoadConnectors
from city.exchange.commands import RunDueExchanges


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from exchange_api(city, tmp_path)


def test_the_example_connector_loads_and_exports(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_DATA_DIR", str(tmp_path))  # the example's folders are relative to it
    content = (ROOT / "config/connectors/upper_level.example.json").read_text(encoding="utf-8")
    api.bus.handle(LoadConnectors(content, "admin"))
    code = json.loads(content)["connectors"][0]["code"]
    assert code in api.bus.handle(RunDueExchanges())["due"]
    api.clock.advance(minutes=20)  # type: ignore[attr-defined]
    number = report(api)
    api.clock.advance(minutes=20)  # type: ignore[attr-defined]
    assert code in api.bus.handle(RunDueExchanges())["due"]
    outbox = tmp_path / "exchange" / "fj"
    assert number in [r["case_no"] for r in read_export(outbox_files(outbox)[-1])["records"]]
