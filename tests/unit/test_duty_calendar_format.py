"""The duty calendar file format: the demo city's file reads; every kind of bad file is refused naming the field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from engine.domain.duty_calendar import parse_version, parse_versions
from engine.domain.errors import InvalidCommand

DEMO_FILE = Path(__file__).resolve().parents[2] / "config" / "duty_calendar.json"
DEMO = json.loads(DEMO_FILE.read_text("utf-8"))


def test_the_demo_citys_file_reads_and_round_trips() -> None:
    (version,) = parse_versions(DEMO_FILE.read_text("utf-8"))
    assert version.effective_from == date(2026, 1, 1)
    assert [s.name for s in version.seasons] == ["summer", "winter"]
    assert version.windows_on(date(2026, 7, 1)) == ((time(8), time(12)), (time(15), time(18)))
    assert version.windows_on(date(2027, 1, 4)) == ((time(8), time(12)), (time(14, 30), time(17, 30)))
    assert parse_version(version.to_dict()) == version


def edit(change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(DEMO)
    change(data)
    return json.dumps(data)


def season(i: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda d: d["versions"][0]["seasons"][i]


S0 = "versions[0].seasons[0]"
BAD: list[tuple[str, str]] = [
    ("{", "file"),
    ("[]", "file"),
    (edit(lambda d: d.update(version=1)), "version"),
    (edit(lambda d: d.update(versions=[])), "versions"),
    (edit(lambda d: d["versions"][0].pop("effective_from")), "versions[0].effective_from"),
    (edit(lambda d: d["versions"][0].update(effective_from="2026-02-30")), "versions[0].effective_from"),
    (edit(lambda d: d["versions"][0].update(effective_from=20260101)), "versions[0].effective_from"),
    (edit(lambda d: d["versions"][0].update(windows=[])), "versions[0].windows"),
    (edit(lambda d: d["versions"][0].update(seasons={})), "versions[0].seasons"),
    (edit(lambda d: season(0)(d).update({"from": "05-32"})), f"{S0}.from"),
    (edit(lambda d: season(0)(d).update({"to": "9-30"})), f"{S0}.to"),
    (edit(lambda d: season(0)(d).update(windows=[])), f"{S0}.windows"),
    (edit(lambda d: season(0)(d).update(windows=[["08:00", "12:00"], ["11:00", "18:00"]])), f"{S0}.windows"),
    (edit(lambda d: season(0)(d).update(windows=[["08:00", "12:00"], ["18:00", "15:00"]])), f"{S0}.windows[1]"),
    (edit(lambda d: season(0)(d).update(windows=[["8:00", "12:00"]])), f"{S0}.windows[0]"),
    (edit(lambda d: season(0)(d).update(windows=[["08:00", "24:00"]])), f"{S0}.windows[0]"),
    (edit(lambda d: season(0)(d).update(windows=[["08:00"]])), f"{S0}.windows[0]"),
    (edit(lambda d: season(0)(d).update(weekdays={"friday": []})), f"{S0}.weekdays.friday"),
    (edit(lambda d: season(0)(d).update(weekdays={"fri": [["13:00", "12:00"]]})), f"{S0}.weekdays.fri[0]"),
    (edit(lambda d: season(0)(d).update(hours=1)), f"{S0}.hours"),
    (edit(lambda d: season(0)(d).update({"to": "10-01"})), "versions[0].seasons"),  # 1 October in both
    (edit(lambda d: season(1)(d).update({"to": "04-29"})), "versions[0].seasons"),  # 30 April in none
    (edit(lambda d: d["versions"][0].update(round_the_clock_subtypes="0107")),
     "versions[0].round_the_clock_subtypes"),
    (edit(lambda d: d["versions"][0].update(round_the_clock_subtypes=[""])), "versions[0].round_the_clock_subtypes"),
    (edit(lambda d: d["versions"].append(copy.deepcopy(d["versions"][0]))), "versions"),  # one date twice
    (edit(lambda d: d["versions"].append({"effective_from": "2027-01-01", "seasons": [
        {"from": "01-01", "to": "12-31", "windows": [["08:00", "12:00"]]}], "comment": 5})), "versions[1].comment"),
]


@pytest.mark.parametrize(("content", "field"), BAD)
def test_a_bad_file_is_refused_naming_the_field(content: str, field: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        parse_versions(content)
    assert refused.value.field == field, refused.value.message


def test_a_season_may_wrap_the_new_year_and_weekdays_may_have_no_duty() -> None:
    (version,) = parse_versions(json.dumps({"versions": [{"effective_from": "2027-01-01", "seasons": [
        {"name": "all", "from": "03-01", "to": "02-29", "windows": [["09:00", "17:00"]],
         "weekdays": {"sat": []}}]}]}))
    assert version.windows_on(date(2027, 2, 28)) == ((time(9), time(17)),)
    assert version.windows_on(date(2027, 1, 2)) == ()  # a Saturday (were it a make-up working day)
