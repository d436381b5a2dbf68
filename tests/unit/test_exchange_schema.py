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
    assert any(p.startswith("status:") for p in found) and any("extra" in p for p in found)


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
