"""The analysis tests' data (test_analysis, test_pages_analysis): seven hand-made case facts in 2019 (no other
case in the module's city is that old) over two unit grids of one street and one of another."""

from __future__ import annotations

from datetime import UTC, datetime

from api_support import Api

from city.facts.model import CaseFacts
from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.persistence.uow import command_scope

D1, D2 = "350602-D02", "350602-D05"
SPOT = (117.6501, 24.5101)  # cases 1, 2 and 4: one ~30 m cell
_SEEDED: dict[str, dict[str, str]] = {}


def _grids(api: Api) -> dict[str, str]:
    """Two unit grids of one street (G1, G2, street S1) and one of another street (G3, street S3)."""
    with api.deps.uow(read_only=True) as uow:
        rows = uow.store._execute("SELECT code, resp_grid_code FROM unit_grids ORDER BY code").fetchall()
    first = rows[0]
    same = next(r for r in rows[1:] if r[1] == first[1])
    other = next(r for r in rows if r[1] != first[1])
    return {"G1": first[0], "G2": same[0], "G3": other[0], "S1": first[1], "S3": other[1]}


def _facts(g: dict[str, str]) -> list[FactRow]:
    """Seven cases: (number, UTC time, grid, subtype, channel, department, source, lon/lat, counters)."""
    far = [(117.70 + n / 100, 24.55) for n in range(8)]  # each its own place
    spec = [
        ("20190305900001", datetime(2019, 3, 5, 4, tzinfo=UTC), "G1", "0601", "hotline", D1, "history", SPOT, {}),
        ("20190320900002", datetime(2019, 3, 20, 4, tzinfo=UTC), "G1", "0601", "patrol", D1, "history", SPOT, {}),
        ("20190331900003", datetime(2019, 3, 31, 15, tzinfo=UTC), "G2", "0102", "patrol", None, "history", far[3], {}),
        ("20190401900004", datetime(2019, 4, 1, 4, tzinfo=UTC), "G1", "0101", "wechat", D2, "history", SPOT,
         {"reworks": 2}),
        ("20190415900005", datetime(2019, 4, 15, 4, tzinfo=UTC), "G3", "0601", "hotline", D1, "live", far[5], {}),
        ("20190510900006", datetime(2019, 5, 10, 4, tzinfo=UTC), "G2", "0601", "hotline", D1, "history", far[6],
         {"reworks": 1, "returns": 1}),
        # 2019-04-30 18:00 UTC is 2019-05-01 02:00 in the city: a May case
        ("20190501900007", datetime(2019, 4, 30, 18, tzinfo=UTC), "G3", "0102", "patrol", D2, "history", far[7], {}),
    ]
    resp = {"G1": g["S1"], "G2": g["S1"], "G3": g["S3"]}
    return [FactRow(case_no=no, source=source, facts=CaseFacts(
        reported_at=at, channel=channel, subtype=subtype, district="350602", resp_grid=resp[grid],
        unit_grid=g[grid], lon=where[0], lat=where[1], department=dept, result="closed", counters=counters))
        for no, at, grid, subtype, channel, dept, source, where, counters in spec]


def seeded_grids(api: Api) -> dict[str, str]:
    """The module city's grids (G1, G2, G3; streets S1, S3), with the 2019 facts stored once per database."""
    if api.url not in _SEEDED:
        grids = _grids(api)
        with command_scope(), api.deps.uow() as uow:
            upsert_facts(uow.store, _facts(grids), datetime.now(UTC))
        _SEEDED[api.url] = grids
    return _SEEDED[api.url]
