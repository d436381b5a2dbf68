"""The exchange's schema: the package's copy is docs/exchange.schema.json, and hostile inbound files are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from city.exchange.schema import SCHEMA_PATH, FileRefused, problems, read_inbound

ROOT = Path(__file__).resolve().parents[2]
ACK = {"seq": 1, "sha256": "a" * 64, "status": "accepted"}


def test_the_package_copy_is_the_documented_schema() -> None:
    assert SCHEMA_PATH.read_bytes() == (ROOT / "docs/exchange.schema.json").read_bytes()


def test_the_schema_names_what_is_wrong() -> None:
    assert problems("ack", ACK) == []
    found = problems("ack", {**ACK, "status": "ok", "extra": 1})
    assert any(p.startswith("status:") for p in found) and any(p.startswith("(file): has unknown keys") for p in found)


def test_reasons_never_echo_the_files_keys_or_values() -> None:
    # the reasons are kept on the import batch, which shift leads read: a file must not smuggle text into them
    found = "; ".join(problems("ack", {**ACK, "status": "TOP-SECRET-STATUS", "secret": "TOP-SECRET-VALUE",
                                       "errors": [{"case_no": "TOP-SECRET-CASE", "bogus": 1}]}))
    assert "status" in found and "errors" in found
    assert "TOP-SECRET" not in found and "secret" not in found and "bogus" not in found


def _assignment(deadline: object) -> dict[str, object]:
    return {"platform_code": "FJSZCG", "city_code": "350600", "seq": 1,
            "records": [{"upper_id": "U1", "national_code": "0601", "description": "x", "lon": 117.6, "lat": 24.5,
                         "deadline": deadline, "urgency": "normal"}]}


@pytest.mark.parametrize("deadline", ["not a time", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59Z",
                                      "2027-01-01T00:00:00", "2027-01-01", "2027-02-30T00:00:00Z",
                                      "２０２７-01-01T00:00:00+08:00", "20270101T000000+0800"])
def test_a_date_time_is_an_rfc_3339_time_with_its_offset_in_sane_years(deadline: str) -> None:
    assert problems("assignment", _assignment(deadline)) == [
        "records/0/deadline: must be a date-time (RFC 3339 with its UTC offset, years 2000 to 2100)"]


@pytest.mark.parametrize("deadline", [None, "2027-01-01T08:00:00+08:00", "2026-12-07T15:00:00.123456+00:00",
                                      "2027-01-01T00:00:00Z"])
def test_good_times_pass(deadline: str | None) -> None:
    assert problems("assignment", _assignment(deadline)) == []


@pytest.mark.parametrize(("content", "reason"), [
    (b"\xff\xfe not utf-8", "not UTF-8 JSON"),
    (b"[" * 100000 + b"]" * 100000, "not UTF-8 JSON|nested deeper"),
    (b'{"a": ' + b"[" * 30 + b"1" + b"]" * 30 + b"}", "nested deeper"),
    (json.dumps({**ACK, "status": "accepted\u0000"}).encode(), "NUL"),
    (b'{"seq": ' + b"9" * 5000 + b"}", "not UTF-8 JSON"),
    (b'{"seq": NaN}', "not a number|not UTF-8 JSON"),
    (json.dumps({**ACK, "seq": "1"}).encode(), "not a valid ack file"),
])
def test_hostile_files_are_refused_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "ack.json"
    path.write_bytes(content)
    with pytest.raises(FileRefused, match=reason):
        read_inbound(path, "ack", 10 * 1024 * 1024)


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "ack.json"
    path.write_bytes(json.dumps(ACK).encode() + b" " * 5000)
    with pytest.raises(FileRefused, match="more than 1024"):
        read_inbound(path, "ack", 1024)
    path.write_bytes(json.dumps(ACK).encode())
    assert read_inbound(path, "ack", 1024)[0] == ACK
