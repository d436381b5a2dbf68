"""The upper-level exchange's export (RunExchangeExport): schema-valid files, incremental by case_facts.updated_at
with nothing lost at the watermark, several files over max_records, nothing written for an empty period, and a run
stopped between its commit and its rename finished by the next."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api
from exchange_support import baseline, exchange_api, export, outbox_files, read_export, report, rows


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from exchange_api(city, tmp_path)


def test_changed_cases_go_out_once_in_a_schema_valid_file(api: Api, tmp_path: Path) -> None:
    baseline(api, "up_a", tmp_path)
    before = len(outbox_files(tmp_path))
    first, second = report(api, "0601"), report(api, "0602")
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    result = export(api, "up_a")
    assert [b["records"] for b in result["batches"]] == [2]
    files = outbox_files(tmp_path)
    assert len(files) == before + 1 and files[-1].name == result["batches"][0]["file_name"]
    assert files[-1].name.startswith("FJSZCG_350600_") and files[-1].name.endswith(".json")
    document = read_export(files[-1])
    records = {r["case_no"]: r for r in document["records"]}
    assert set(records) == {first, second}
    assert document["header"]["count"] == 2 and document["header"]["seq"] == result["batches"][0]["seq"]
    assert records[first]["national_code"] == "0601" and records[first]["stage"] == "received"
    assert records[first]["stage_code"] == "01" and records[first]["upper_id"] is None
    # 0602 has no national code here: still sent, as null, and the batch lists it
    assert records[second]["national_code"] is None and records[second]["city_subtype"] == "0602"
    assert result["batches"][0]["unmapped"] == [second]
    detail = json.loads(rows(api, "SELECT ack_detail_json FROM exchange_batches WHERE connector = 'up_a'"
                                  " AND seq = :seq", seq=document["header"]["seq"])[0][0])
    assert detail["unmapped"] == [second]
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert export(api, "up_a")["batches"] == []  # nothing changed: no file, no batch
    assert len(outbox_files(tmp_path)) == before + 1


def test_a_case_changed_in_the_watermarks_second_goes_in_the_next_batch(api: Api, tmp_path: Path) -> None:
    baseline(api, "up_b", tmp_path)
    early = report(api)
    api.clock.advance(seconds=30)  # type: ignore[attr-defined]
    at_watermark = report(api)  # changed at the very moment the export's window ends
    first = export(api, "up_b")["batches"]
    assert len(first) == 1
    assert [r["case_no"] for r in read_export(outbox_files(tmp_path)[-1])["records"]] == [early]
    api.clock.advance(seconds=1)  # type: ignore[attr-defined]
    second = export(api, "up_b")["batches"]
    assert [r["case_no"] for r in read_export(outbox_files(tmp_path)[-1])["records"]] == [at_watermark]
    assert second[0]["seq"] == first[0]["seq"] + 1


def test_over_max_records_several_files_each_its_own_batch(api: Api, tmp_path: Path) -> None:
    baseline(api, "up_c", tmp_path, max_records=2)
    numbers = [report(api, east=0.0001 * i) for i in range(5)]
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    batches = export(api, "up_c")["batches"]
    assert [b["records"] for b in batches] == [2, 2, 1]
    assert [b["seq"] for b in batches] == list(range(batches[0]["seq"], batches[0]["seq"] + 3))
    sent = [r["case_no"] for path in outbox_files(tmp_path)[-3:] for r in read_export(path)["records"]]
    assert sorted(sent) == sorted(numbers)
    assert rows(api, "SELECT COUNT(*) FROM exchange_batches WHERE connector = 'up_c' AND direction = 'export'"
                     " AND seq >= :seq", seq=batches[0]["seq"])[0][0] == 3


def test_a_run_stopped_between_commit_and_rename_is_finished_by_the_next(api: Api, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    baseline(api, "up_d", tmp_path)
    number = report(api)
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    from city.exchange import export as export_module

    def crash(outbox: Path, name: str, sha256: str) -> None:
        raise OSError("the process stopped here")

    monkeypatch.setattr(export_module.files, "publish", crash)
    with pytest.raises(OSError, match="stopped here"):
        export(api, "up_d")
    monkeypatch.undo()
    found = rows(api, "SELECT seq, file_name, sha256 FROM exchange_batches WHERE connector = 'up_d'"
                      " ORDER BY seq DESC")[0]
    assert not (tmp_path / "outbox" / found[1]).exists()  # committed, not yet renamed: the platform sees nothing
    assert (tmp_path / "outbox" / f".{found[1]}.tmp").exists()
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    result = export(api, "up_d")
    assert result["finished"] == [found[1]] and result["batches"] == []  # renamed; the case is not sent twice
    path = tmp_path / "outbox" / found[1]
    import hashlib

    assert hashlib.sha256(path.read_bytes()).hexdigest() == found[2]
    assert [r["case_no"] for r in read_export(path)["records"]] == [number]


def test_a_temporary_file_whose_batch_never_committed_is_written_again(api: Api, tmp_path: Path) -> None:
    baseline(api, "up_e", tmp_path)
    number = report(api)
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    seq = (rows(api, "SELECT MAX(seq) FROM exchange_batches WHERE connector = 'up_e'")[0][0] or 0) + 1
    stale = tmp_path / "outbox" / f".FJSZCG_350600_{seq:06d}.json.tmp"
    stale.parent.mkdir(parents=True, exist_ok=True)  # the baseline may have had nothing to write
    stale.write_bytes(b"half a file")  # a run that stopped before its commit
    batches = export(api, "up_e")["batches"]
    assert batches[0]["seq"] == seq and not stale.exists()
    assert [r["case_no"] for r in read_export(outbox_files(tmp_path)[-1])["records"]] == [number]
