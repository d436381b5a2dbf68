"""JSON log lines (web/logging_setup.py) and what the bus tells its observers (engine/service/observe.py): one line
per record with the request id, the command line naming the audit events a command chained, no library data."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass

import pytest

from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, InvalidCommand
from engine.service.observe import CommandObserved, command_observed, note_events, outcome_of, request_id
from web.logging_setup import JsonFormatter, configure_logging, log_command


@dataclass
class Event:
    """What the step writer hands ``note_events``: an event row's sequence number and hash."""

    seq: int
    hash: str


def _record(name: str, message: str, **extra: object) -> logging.LogRecord:
    record = logging.getLogger(name).makeRecord(name, logging.INFO, __file__, 1, message, (), None, extra=extra)
    return record


def test_a_record_is_one_json_line_with_the_request_id_and_our_fields() -> None:
    token = request_id.set("req-42")
    try:
        line = JsonFormatter().format(_record("gridcase.access", "GET /x 200\nsecond line", status=200, ms=1.5))
    finally:
        request_id.reset(token)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["request_id"] == "req-42" and parsed["status"] == 200 and parsed["ms"] == 1.5
    assert parsed["message"] == "GET /x 200\nsecond line" and parsed["level"] == "INFO"
    assert parsed["logger"] == "gridcase.access" and parsed["ts"].endswith("+00:00")


def test_libraries_extra_fields_stay_out_and_no_request_means_no_id() -> None:
    parsed = json.loads(JsonFormatter().format(_record("spiff.task", "State changed", data={"reporter": "张三"})))
    assert "data" not in parsed and "request_id" not in parsed


def test_an_exception_stays_on_the_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.getLogger("gridcase.x").makeRecord("gridcase.x", logging.ERROR, __file__, 1, "failed", (),
                                                              sys.exc_info())
    parsed = json.loads(JsonFormatter().format(record))
    assert "RuntimeError: boom" in parsed["exception"]


def test_the_command_line_names_the_events_the_command_chained(caplog: pytest.LogCaptureFixture) -> None:
    seen = []
    command = c.ClaimTask("t1", "seat01")
    token = request_id.set("req-7")
    try:
        with command_observed([seen.append], command):
            note_events(12, [Event(5, "a" * 64)])
            note_events(12, [Event(6, "b" * 64), Event(7, "c" * 64)])  # a second step of the same command
            note_events(40, [Event(1, "d" * 64)])
    finally:
        request_id.reset(token)
    (observed,) = seen
    assert observed.outcome == "ok" and observed.request_id == "req-7" and observed.name == "ClaimTask"
    assert [(e.case_id, e.first_seq, e.last_seq, e.head_hash[0]) for e in observed.events] == [
        (12, 5, 7, "c"), (40, 1, 1, "d")]
    caplog.set_level(logging.DEBUG, logger="gridcase.commands")
    log_command(observed)
    (record,) = [r for r in caplog.records if r.name == "gridcase.commands"]
    parsed = json.loads(JsonFormatter().format(record))
    assert parsed["command"] == "ClaimTask" and parsed["outcome"] == "ok"
    assert parsed["audit"] == [{"case_id": 12, "seq": [5, 7], "head": "c" * 64},
                               {"case_id": 40, "seq": [1, 1], "head": "d" * 64}]


def test_a_retried_chain_replaces_the_rolled_back_one_and_a_failed_command_names_none() -> None:
    seen: list[CommandObserved] = []
    with command_observed([seen.append], c.FireTimer(3)):
        note_events(9, [Event(4, "x" * 64), Event(5, "y" * 64)])  # the firing, rolled back
        note_events(9, [Event(4, "z" * 64)])  # timer_failed, written in a second transaction
    assert [(e.first_seq, e.last_seq, e.head_hash[0]) for e in seen[0].events] == [(4, 4, "z")]
    with pytest.raises(InvalidCommand), command_observed([seen.append], c.FireTimer(3)):
        note_events(9, [Event(5, "w" * 64)])
        raise InvalidCommand("refused")
    assert seen[1].outcome == "refused" and seen[1].events == ()


def test_outcomes_and_an_observer_that_fails_does_not_fail_the_command() -> None:
    assert [outcome_of(e) for e in (None, ConcurrencyConflict("x"), InvalidCommand("y"), KeyError("z"))] == [
        "ok", "conflict", "refused", "error"]

    def broken(_: CommandObserved) -> None:
        raise RuntimeError("observer down")

    with command_observed([broken], c.FireTimer(1)):
        pass  # no exception escapes
    note_events(1, [Event(1, "a" * 64)])  # outside any command: nothing collects, nothing fails


def test_an_unknown_log_format_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="GRIDCASE_LOG_FORMAT must be text or json, not 'xml'"):
        configure_logging("INFO", "xml")
