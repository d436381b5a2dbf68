"""The upper-level exchange's inbox (ReadExchangeInbox): acknowledgements recorded on their export batches (the
refused cases exported again), assigned cases (上级交办) taken as lifecycle cases on channel upper_level, followed
and exported back with their upper_id, and every bad file refused with its reason and recorded, never a crash."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import POINT, Api
from exchange_support import baseline, drop, exchange_api, export, inbox, outbox_files, read_export, report, rows


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    yield from exchange_api(city, tmp_path)


def _sent(api: Api, tmp_path: Path, code: str, count: int) -> tuple[dict[str, Any], list[str]]:
    numbers = [report(api, east=0.0001 * i) for i in range(count)]
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    batch = export(api, code)["batches"][0]
    return batch, numbers


def _ack(batch: dict[str, Any], status: str, errors: list[dict[str, str]] | None = None, **changes: Any
         ) -> dict[str, Any]:
    return {"seq": batch["seq"], "sha256": batch["sha256"], "status": status, "errors": errors or [], **changes}


def _name(batch: dict[str, Any]) -> str:
    return f"ack_FJSZCG_350600_{batch['seq']:06d}.json"


def _last_records(tmp_path: Path) -> list[str]:
    return sorted(r["case_no"] for r in read_export(outbox_files(tmp_path)[-1])["records"])


def test_an_accepted_ack_is_recorded_and_nothing_goes_again(api: Api, tmp_path: Path) -> None:
    baseline(api, "in_a", tmp_path)
    batch, _ = _sent(api, tmp_path, "in_a", 1)
    drop(tmp_path, _name(batch), _ack(batch, "accepted"))
    assert inbox(api, "in_a")["files"][0]["status"] == "accepted"
    found = rows(api, "SELECT ack_status, acknowledged_at FROM exchange_batches WHERE connector = 'in_a'"
                      " AND direction = 'export' AND seq = :seq", seq=batch["seq"])[0]
    assert found[0] == "accepted" and found[1] is not None
    assert (tmp_path / "inbox" / "done" / _name(batch)).exists() and not (tmp_path / "inbox" / _name(batch)).exists()
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert export(api, "in_a")["batches"] == []


def test_a_partial_ack_sends_its_refused_cases_again_once(api: Api, tmp_path: Path) -> None:
    baseline(api, "in_b", tmp_path)
    batch, numbers = _sent(api, tmp_path, "in_b", 2)
    refused = [{"case_no": numbers[1], "code": "E12", "message": "坐标不在辖区内"}]
    drop(tmp_path, _name(batch), _ack(batch, "partial", refused))
    assert inbox(api, "in_b")["files"][0]["status"] == "partial"
    detail = json.loads(rows(api, "SELECT ack_detail_json FROM exchange_batches WHERE connector = 'in_b'"
                                  " AND seq = :seq", seq=batch["seq"])[0][0])
    assert detail["ack"]["errors"] == refused
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    again = export(api, "in_b")["batches"]
    assert len(again) == 1 and _last_records(tmp_path) == [numbers[1]]
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert export(api, "in_b")["batches"] == []  # sent again once, not for ever


def test_a_rejected_batch_goes_again_whole(api: Api, tmp_path: Path) -> None:
    baseline(api, "in_c", tmp_path)
    batch, numbers = _sent(api, tmp_path, "in_c", 2)
    drop(tmp_path, _name(batch), _ack(batch, "rejected"))
    assert inbox(api, "in_c")["files"][0]["status"] == "rejected"
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert export(api, "in_c")["batches"][0]["records"] == 2 and _last_records(tmp_path) == sorted(numbers)


@pytest.mark.parametrize("fault", ["unknown_seq", "wrong_sha256"])
def test_an_ack_of_no_batch_or_other_bytes_is_refused_and_recorded(api: Api, tmp_path: Path, fault: str) -> None:
    code = f"in_d{fault[0]}"
    baseline(api, code, tmp_path)
    batch, _ = _sent(api, tmp_path, code, 1)
    changed = {"seq": batch["seq"] + 50} if fault == "unknown_seq" else {"sha256": "0" * 64}
    batch = {**batch, **changed}
    drop(tmp_path, _name(batch), _ack(batch, "accepted"))
    taken = inbox(api, code)["files"][0]
    assert taken["status"] == "refused" and ("no export batch" in taken["reason"] or "sha256" in taken["reason"])
    found = rows(api, "SELECT ack_status, ack_detail_json, file_name FROM exchange_batches WHERE connector = :code"
                      " AND direction = 'import'", code=code)
    assert [(r[0], r[2]) for r in found] == [("refused", _name(batch))]
    assert json.loads(found[0][1])["reason"] == taken["reason"]
    assert (tmp_path / "inbox" / "refused" / _name(batch)).exists()
    assert rows(api, "SELECT COUNT(*) FROM exchange_batches WHERE connector = :code AND ack_status = 'accepted'",
                code=code)[0][0] == 0


def _assignment(*records: dict[str, Any]) -> dict[str, Any]:
    return {"platform_code": "FJSZCG", "city_code": "350600", "seq": 7, "records": list(records)}


def _record(upper_id: str, national: str = "0601", **changes: Any) -> dict[str, Any]:
    return {"upper_id": upper_id, "national_code": national, "description": "上级交办：路面暴露垃圾", **POINT,
            "deadline": "2026-12-31T18:00:00+08:00", "urgency": "urgent", **changes}


def test_assigned_cases_are_taken_followed_and_exported_with_their_upper_id(api: Api, tmp_path: Path) -> None:
    baseline(api, "in_e", tmp_path)
    content = _assignment(_record("U-1"), _record("U-2", "0602"))  # 0602 has no national code here: no subtype
    drop(tmp_path, "assign_20261207_1.json", content)
    taken = inbox(api, "in_e")["files"][0]
    assert taken["status"] == "partial" and [t["upper_id"] for t in taken["taken"]] == ["U-1"]
    assert taken["refused"] == [{"upper_id": "U-2", "reason": "no city subtype has national code 0602"}]
    case_no = taken["taken"][0]["case_no"]
    case = rows(api, "SELECT c.channel, c.external_id, c.id FROM cases c JOIN case_summaries s ON s.case_id = c.id"
                     " WHERE s.case_no = :no", no=case_no)[0]
    assert (case[0], case[1]) == ("upper_level", "in_e:U-1")
    assert rows(api, "SELECT stage FROM public_stages WHERE case_id = :id", id=case[2])[0][0] == "received"
    assert rows(api, "SELECT order_id FROM connector_cases WHERE case_id = :id", id=case[2])[0][0] == "U-1"
    recorded = rows(api, "SELECT ack_status, records FROM exchange_batches WHERE connector = 'in_e'"
                         " AND direction = 'import'")
    assert [tuple(r) for r in recorded] == [("partial", 1)]
    assert (tmp_path / "inbox" / "done" / "assign_20261207_1.json").exists()
    drop(tmp_path, "assign_20261207_1.json", content)  # the same file again: nothing new
    assert inbox(api, "in_e")["files"] == [{"file": "assign_20261207_1.json", "status": "seen_before"}]
    drop(tmp_path, "assign_20261207_2.json", _assignment(_record("U-1"), _record("U-3")))  # U-1 again: its case
    again = inbox(api, "in_e")["files"][0]
    assert [(t["upper_id"], t["created"]) for t in again["taken"]] == [("U-1", False), ("U-3", True)]
    assert again["taken"][0]["case_no"] == case_no
    api.clock.advance(minutes=1)  # type: ignore[attr-defined]
    export(api, "in_e")
    sent = {r["case_no"]: r for r in read_export(outbox_files(tmp_path)[-1])["records"]}
    assert sent[case_no]["upper_id"] == "U-1" and sent[case_no]["channel"] == "upper_level"


@pytest.mark.parametrize(("index", "content", "reason"), [
    (1, _assignment(_record("U-9", urgency="now")), "not a valid assignment file"),
    (2, json.dumps(_assignment(_record("U-9", description="a\u0000b"))).encode(), "NUL"),
    (3, b'{"records": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested deeper|not UTF-8 JSON"),
    (4, b'{"seq": ' + b"9" * 5000 + b"}", "not UTF-8 JSON"),
    (5, b"x" * 20000, "more than"),
    (6, {**_assignment(_record("U-9")), "city_code": "350100"}, "not FJSZCG/350600"),
])
def test_a_bad_assignment_file_is_refused_with_its_reason(api: Api, tmp_path: Path, index: int, content: Any,
                                                          reason: str) -> None:
    code = f"in_f{index}"
    baseline(api, code, tmp_path, max_file_bytes=16384)
    before = rows(api, "SELECT COUNT(*) FROM cases")[0][0]
    drop(tmp_path, "assign_bad.json", content)
    taken = inbox(api, code)["files"][0]
    assert taken["status"] == "refused"
    assert re.search(reason, taken["reason"]), taken["reason"]
    assert rows(api, "SELECT ack_status FROM exchange_batches WHERE connector = :code AND direction = 'import'",
                code=code)[0][0] == "refused"
    assert rows(api, "SELECT COUNT(*) FROM cases")[0][0] == before
    assert (tmp_path / "inbox" / "refused" / "assign_bad.json").exists()
