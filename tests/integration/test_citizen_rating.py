"""A citizen's report through to the rating and the 回访, on SQLite and PostgreSQL: the stages told by SMS as the
lifecycle moves (driven through the API as the staff would), the status the token shows (before/after photos,
nothing personal), the rating's rules (not closed, twice, voided, a bad rating), 不满意 → a 回访 task for the seat
operators; explained → told; reopen → a new case on channel callback, the token moved to it, told."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, rows
from citizen_support import citizen_app, close_case, new_address, new_phone, png, report, sent_to
from notify_support import Receiver

from city.citizens.commands import RateResult
from city.citizens.status import public_photo, status_of
from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotFound


@pytest.fixture
def site(city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, Receiver]]:
    yield from citizen_app(city, tmp_path, monkeypatch)


def _disposal_photo(api: Api, case_no: str, tmp_path: Path) -> str:
    """A photo the department uploads with its disposal; its digest."""
    case_id = int(rows(api, "SELECT case_id FROM case_summaries WHERE case_no = :n", n=case_no)[0][0])
    data = png(99)
    api.bus.handle(c.UploadAttachment(tmp_path / "att", case_id, "after.png", data, "dept_350602s07_01",
                                      10 * 1024 * 1024))
    return hashlib.sha256(data).hexdigest()


def _rate(api: Api, token: str, rating: str, comment: str = "") -> str | None:
    found: str | None = api.bus.handle(RateResult(token, rating, new_address(), comment))
    return found


def test_stages_told_status_and_a_satisfied_rating(site: tuple[Api, Receiver], tmp_path: Path) -> None:
    api, receiver = site
    phone = new_phone()
    done = report(api, receiver, phone)
    with pytest.raises(ConcurrencyConflict, match="not closed"):
        _rate(api, done.token, "satisfied")
    after = _disposal_photo(api, done.case_no, tmp_path)
    close_case(api, done.case_no, after)
    told = "\n".join(sent_to(api, receiver, phone))
    for label in ("已受理", "已立案", "已派遣", "已处置", "已结案"):
        assert label in told, label
    status = status_of(api.deps, done.token)
    assert status is not None
    assert (status["case_no"], status["stage"], status["can_rate"], status["rating"]) == (
        done.case_no, "closed", True, None)
    assert status["before"] == [hashlib.sha256(png(1)).hexdigest()] and status["after"] == [after]
    assert [t["stage"] for t in status["timeline"]] == ["received", "filed", "dispatched", "disposed", "closed"]
    text = json.dumps(status, ensure_ascii=False)
    assert phone not in text and "dept_350602s07_01" not in text and "collector001" not in text
    assert public_photo(api.deps, done.token, after, tmp_path / "att") is not None
    assert public_photo(api.deps, done.token, status["before"][0], tmp_path / "att") is not None
    other = report(api, receiver)
    assert public_photo(api.deps, other.token, after, tmp_path / "att") is None  # not that token's case
    assert status_of(api.deps, "x" * 43) is None and status_of(api.deps, "\x00") is None
    with pytest.raises(InvalidCommand) as bad:
        _rate(api, done.token, "great")
    assert bad.value.field == "rating"
    with pytest.raises(InvalidCommand) as long_comment:
        _rate(api, done.token, "satisfied", "好" * 501)
    assert long_comment.value.field == "comment"
    assert _rate(api, done.token, "basically_satisfied", "还行") is None
    with pytest.raises(ConcurrencyConflict, match="rated already"):
        _rate(api, done.token, "satisfied")
    rated = status_of(api.deps, done.token)
    assert rated is not None and rated["can_rate"] is False
    assert rated["rating"]["rating"] == "basically_satisfied"
    with pytest.raises(NotFound):
        _rate(api, "no-such-token", "satisfied")


def test_a_voided_case_cannot_be_rated(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    done = report(api, receiver)
    api.step(done.case_no, "verify_report", "collector001", {"verification": {"found": True}})
    api.step(done.case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "void", "void_reason": "invalid"}})
    status = status_of(api.deps, done.token)
    assert status is not None and (status["stage"], status["can_rate"]) == ("voided", False)
    with pytest.raises(ConcurrencyConflict, match="不予立案"):
        _rate(api, done.token, "dissatisfied")
    assert rows(api, "SELECT COUNT(*) FROM citizen_ratings WHERE case_id = :id", id=done.case_id)[0][0] == 0


def _callback(api: Api, token: str, comment: str) -> tuple[str, dict[str, str]]:
    callback_no = _rate(api, token, "dissatisfied", comment)
    assert callback_no is not None
    task = api.task(callback_no, "call_back_citizen", "seat01")
    assert task["candidate_group"] == "seat_operator"
    return callback_no, task


def test_dissatisfied_then_explained(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone = new_phone()
    done = report(api, receiver, phone)
    close_case(api, done.case_no)
    callback_no, _task = _callback(api, done.token, "垃圾还有")
    (rating,) = rows(api, "SELECT rating, comment, callback_case_id FROM citizen_ratings WHERE case_id = :id",
                     id=done.case_id)
    assert (rating[0], rating[1]) == ("dissatisfied", "垃圾还有") and rating[2] is not None
    api.step(callback_no, "call_back_citizen", "seat01", {"callback": {"outcome": "explained",
                                                                       "note": "已清运，现场照片见进度页"}})
    (outcome,) = rows(api, "SELECT callback_outcome, reopened_case_id FROM citizen_ratings WHERE case_id = :id",
                      id=done.case_id)
    assert tuple(outcome) == ("explained", None)
    assert "已清运，现场照片见进度页" in "\n".join(sent_to(api, receiver, phone))
    status = status_of(api.deps, done.token)
    assert status is not None and status["rating"]["outcome"] == "explained"
    shown = _cli(api, "status", done.token)
    assert shown.returncode == 0 and done.case_no in shown.stdout and "已结案" in shown.stdout
    assert "不满意 dissatisfied 垃圾还有 (回访 callback explained)" in shown.stdout and phone not in shown.stdout
    assert _cli(api, "status", "no-such-token").returncode == 2
    counted = _cli(api, "ratings", "--json")
    assert counted.returncode == 0, counted.stderr
    found = json.loads(counted.stdout)
    assert found["ratings"]["dissatisfied"] >= 1 and found["callbacks"]["explained"] >= 1
    assert found["total"] == sum(found["ratings"].values())
    assert _cli(api, "ratings", "--since", "yesterday").returncode != 0


def _cli(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    """``gridcase citizens ARGS`` over the module's database."""
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", api.url, "citizens", *args],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120,
                          check=False, env={**os.environ, "GRIDCASE_LOG_LEVEL": "ERROR"})


def test_dissatisfied_then_reopened(site: tuple[Api, Receiver]) -> None:
    api, receiver = site
    phone = new_phone()
    done = report(api, receiver, phone)
    close_case(api, done.case_no)
    callback_no, _task = _callback(api, done.token, "根本没处理")
    api.step(callback_no, "call_back_citizen", "seat01", {"callback": {"outcome": "reopen", "note": "重新派遣清运"}})
    (outcome,) = rows(api, "SELECT callback_outcome, reopened_case_id FROM citizen_ratings WHERE case_id = :id",
                      id=done.case_id)
    assert outcome[0] == "reopened"
    new_id = int(outcome[1])
    (case,) = rows(api, "SELECT channel, subtype, description, case_no FROM case_summaries WHERE case_id = :id",
                   id=new_id)
    assert (case[0], case[1]) == ("callback", "0601") and "回访重办: 重新派遣清运" in case[2]
    assert rows(api, "SELECT case_id FROM citizen_reports WHERE token = :t", t=done.token)[0][0] == new_id
    assert rows(api, "SELECT stage FROM public_stages WHERE case_id = :id", id=new_id)[0][0] == "received"
    assert {r[0] for r in rows(api, "SELECT sha256 FROM attachments WHERE case_id = :id", id=new_id)} == {
        hashlib.sha256(png(1)).hexdigest()}
    told = "\n".join(sent_to(api, receiver, phone))
    assert "已重新办理" in told and str(case[3]) in told
    assert "重新派遣清运" not in told  # the note is the staff's instruction, not the citizen's news
    status = status_of(api.deps, done.token)
    assert status is not None
    assert (status["case_no"], status["stage"], status["can_rate"]) == (case[3], "received", False)
    assert [h["case_no"] for h in status["history"]] == [done.case_no]
    assert status["history"][0]["rating"]["reopened_case_no"] == case[3]
    close_case(api, str(case[3]))  # the reopened case goes through 核实 … 结案 too, and may be rated once
    assert "\n".join(sent_to(api, receiver, phone)).count("【已结案】") == 2  # the first case's and the new one's
    assert _rate(api, done.token, "satisfied") is None
