"""The exchange inbox under faults (ReadExchangeInbox): a file with a time out of range, a folder that cannot take
the files, links and folders named as inbound files, and two runs at once — each file's fault is recorded on that
file and never stops the later files, and no file is read twice."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import POINT, Api
from exchange_support import baseline, drop, exchange_api, inbox, rows

from city.exchange import files
from engine.domain.errors import ConcurrencyConflict, InvalidCommand


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from exchange_api(city, tmp_path)


def _assignment(upper_id: str, deadline: str | None = "2027-01-01T00:00:00+08:00", east: float = 0.0
                ) -> dict[str, Any]:
    return {"platform_code": "FJSZCG", "city_code": "350600", "seq": 1,
            "records": [{"upper_id": upper_id, "national_code": "0601", "description": "上级交办：垃圾堆积",
                         "lon": POINT["lon"] + east, "lat": POINT["lat"], "deadline": deadline,
                         "urgency": "normal"}]}


def _cases(api: Api, external_id: str) -> int:
    return int(rows(api, "SELECT COUNT(*) FROM cases WHERE external_id = :id", id=external_id)[0][0])


def _imports(api: Api, code: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in rows(api, "SELECT file_name, ack_status FROM exchange_batches WHERE connector ="
                                            " :code AND direction = 'import' ORDER BY id", code=code)]


def test_a_deadline_out_of_range_refuses_its_file_and_the_next_file_is_read(api: Api, tmp_path: Path) -> None:
    # year 1 passed the schema and overflowed the database's stamp: the whole run failed, every run, for ever
    baseline(api, "fa_ovf", tmp_path)
    drop(tmp_path, "assign_a_bad.json", _assignment("U-OVF", "0001-01-01T00:00:00+08:00"))
    drop(tmp_path, "assign_b_good.json", _assignment("U-GOOD", east=0.0001))
    bad, good = inbox(api, "fa_ovf")["files"]
    assert bad["status"] == "refused" and "records/0/deadline: must be a date-time" in bad["reason"]
    assert good["status"] == "taken" and _cases(api, "fa_ovf:U-GOOD") == 1 and _cases(api, "fa_ovf:U-OVF") == 0
    assert _imports(api, "fa_ovf") == [("assign_a_bad.json", "refused"), ("assign_b_good.json", "taken")]
    assert (tmp_path / "inbox" / "refused" / "assign_a_bad.json").exists()
    assert (tmp_path / "inbox" / "done" / "assign_b_good.json").exists()


def test_a_folder_that_cannot_take_a_file_never_stops_the_next_file(api: Api, tmp_path: Path) -> None:
    baseline(api, "fa_mv", tmp_path)
    drop(tmp_path, "assign_a.json", _assignment("U-A"))
    drop(tmp_path, "assign_b.json", _assignment("U-B", east=0.0001))
    (tmp_path / "inbox" / "done").write_text("a file where the done folder should be")
    first, second = inbox(api, "fa_mv")["files"]
    assert (first["status"], second["status"]) == ("taken", "taken")
    assert first["not_moved"].startswith("done/ cannot take it") and "not_moved" in second
    assert _cases(api, "fa_mv:U-A") == 1 and _cases(api, "fa_mv:U-B") == 1
    assert [f["status"] for f in inbox(api, "fa_mv")["files"]] == ["seen_before", "seen_before"]  # not read again
    (tmp_path / "inbox" / "done").unlink()
    assert [f.get("not_moved") for f in inbox(api, "fa_mv")["files"]] == [None, None]
    assert sorted(p.name for p in (tmp_path / "inbox" / "done").iterdir()) == ["assign_a.json", "assign_b.json"]
    assert _imports(api, "fa_mv") == [("assign_a.json", "taken"), ("assign_b.json", "taken")]


def test_links_and_folders_are_refused_unread(api: Api, tmp_path: Path) -> None:
    baseline(api, "fa_lnk", tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"platform_code": "X", "secret": "TOP-SECRET-VALUE"}))
    (tmp_path / "inbox").mkdir(exist_ok=True)
    os.symlink(outside, tmp_path / "inbox" / "assign_link.json")
    (tmp_path / "inbox" / "assign_folder.json").mkdir()
    found = inbox(api, "fa_lnk")["files"]
    assert [(f["file"], f["status"]) for f in found] == [("assign_folder.json", "refused"),
                                                         ("assign_link.json", "refused")]
    assert all(f["reason"] == "not a plain file (a link, folder or device)" for f in found)
    details = rows(api, "SELECT ack_detail_json FROM exchange_batches WHERE connector = 'fa_lnk'"
                        " AND direction = 'import'")
    assert len(details) == 2 and not any("SECRET" in d[0] or "secret" in d[0] for d in details)
    assert (tmp_path / "inbox" / "refused" / "assign_link.json").is_symlink() and outside.exists()


def test_a_schema_refusal_never_keeps_the_files_keys_or_values(api: Api, tmp_path: Path) -> None:
    baseline(api, "fa_echo", tmp_path)
    content = _assignment("U-E") | {"secret": "TOP-SECRET-VALUE"}
    content["records"][0]["urgency"] = "TOP-SECRET-URGENCY"
    drop(tmp_path, "assign_echo.json", content)
    taken = inbox(api, "fa_echo")["files"][0]
    assert taken["status"] == "refused" and "records/0/urgency: must be one of" in taken["reason"]
    kept = rows(api, "SELECT ack_detail_json FROM exchange_batches WHERE connector = 'fa_echo'")[0][0]
    assert "SECRET" not in kept and "secret" not in kept


def test_a_run_while_another_reads_the_inbox_is_refused_and_reads_nothing(api: Api, tmp_path: Path) -> None:
    baseline(api, "fa_busy", tmp_path)
    drop(tmp_path, "assign_a.json", _assignment("U-A"))
    with files.inbox_lock(tmp_path / "inbox"), pytest.raises(ConcurrencyConflict, match="another run is reading"):
        inbox(api, "fa_busy")
    assert (tmp_path / "inbox" / "assign_a.json").exists() and _imports(api, "fa_busy") == []
    assert inbox(api, "fa_busy")["files"][0]["status"] == "taken"  # the lock is given back


def test_two_runs_at_once_read_each_file_once(api: Api, tmp_path: Path) -> None:
    baseline(api, "fa_two", tmp_path)
    content = _assignment("U-0")
    content["records"] = [{**content["records"][0], "upper_id": f"U-{i}", "lon": POINT["lon"] + 0.00001 * i}
                          for i in range(10)]
    drop(tmp_path, "assign_many.json", content)
    start, outcomes = threading.Barrier(2), []

    def run() -> None:
        start.wait()
        try:
            outcomes.append([f["status"] for f in inbox(api, "fa_two")["files"]])
        except ConcurrencyConflict:
            outcomes.append(["busy"])

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in ([["busy"], ["taken"]], [[], ["taken"]])  # refused, or after the first: nothing left
    assert _imports(api, "fa_two") == [("assign_many.json", "taken")]
    assert int(rows(api, "SELECT COUNT(*) FROM cases WHERE external_id LIKE 'fa_two:%'")[0][0]) == 10


def test_a_missing_inbox_folder_is_an_error_naming_inbox_dir_logged(api: Api, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    # A mistyped or unmounted inbox folder used to read as "no files" for ever, silently.
    baseline(api, "fa_gone", tmp_path, inbox_dir=str(tmp_path / "nowhere"))
    with caplog.at_level(logging.WARNING, logger="city.exchange.inbox"), pytest.raises(InvalidCommand) as refused:
        inbox(api, "fa_gone")
    assert refused.value.field == "inbox_dir" and str(tmp_path / "nowhere") in str(refused.value)
    assert any(r.levelno == logging.WARNING and "nowhere" in r.getMessage() for r in caplog.records)
    assert _imports(api, "fa_gone") == []
