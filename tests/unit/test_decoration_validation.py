"""A decoration works' registration checks (city/decoration/validation.py): each field at fault named, the
phone's forms, the period's bounds, and the distance the nearby-case hook measures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from city.decoration.commands import RegisterDecorationWorks
from city.decoration.links import distance_m
from city.decoration.validation import registration_problems

GOOD = RegisterDecorationWorks("芗城区胜利西路 18 号", "胜利花园", 117.65, 24.51, "林先生", "13905961234", "美居装饰",
                               date(2026, 12, 10), date(2026, 12, 20), 12.5, "seat01")
TODAY = date(2026, 12, 7)  # the city's date the checks run on


def test_a_good_registration_has_no_problem() -> None:
    assert registration_problems(GOOD, TODAY) == {}
    assert registration_problems(replace(GOOD, compound_name=None, expected_waste_m3=0), TODAY) == {}


@pytest.mark.parametrize("phone", ["13905961234", "0596-2345678", "05962345678", "0596-2345678-12", "19912345678"])
def test_phones_accepted(phone: str) -> None:
    assert registration_problems(replace(GOOD, owner_phone=phone), TODAY) == {}


@pytest.mark.parametrize("phone", ["", "12345678901", "1390596123", "2345678", "0596-23", "+86 139 0596 1234"])
def test_phones_refused(phone: str) -> None:
    assert set(registration_problems(replace(GOOD, owner_phone=phone), TODAY)) == {"owner_phone"}


@pytest.mark.parametrize(("days", "fault"), [(0, False), (365, False), (-1, True), (366, True)])
def test_the_period_at_most_a_year_and_not_backwards(days: int, fault: bool) -> None:
    found = registration_problems(replace(GOOD, ends_on=GOOD.starts_on + timedelta(days=days)), TODAY)
    assert ("ends_on" in found) is fault


@pytest.mark.parametrize(("starts_on", "ends_on", "field"), [
    (date(9999, 12, 30), date(9999, 12, 31), "starts_on"),  # no day after the last: the timers overflowed (500)
    (date(1, 1, 1), date(1, 1, 2), "starts_on"),
    (date(1900, 1, 1), date(1900, 1, 2), "starts_on"),
    (TODAY - timedelta(days=366), TODAY, "starts_on"),  # more than a year back
    (TODAY + timedelta(days=731), TODAY + timedelta(days=731), "starts_on"),  # more than two years ahead
    (TODAY - timedelta(days=10), TODAY - timedelta(days=1), "ends_on"),  # the period is over already
])
def test_the_period_lies_in_the_window_around_today(starts_on: date, ends_on: date, field: str) -> None:
    assert set(registration_problems(replace(GOOD, starts_on=starts_on, ends_on=ends_on), TODAY)) == {field}


@pytest.mark.parametrize(("starts_on", "ends_on"), [(TODAY - timedelta(days=365), TODAY),
                                                    (TODAY + timedelta(days=730), TODAY + timedelta(days=731))])
def test_the_window_s_edges_are_accepted(starts_on: date, ends_on: date) -> None:
    assert registration_problems(replace(GOOD, starts_on=starts_on, ends_on=ends_on), TODAY) == {}


def test_every_field_at_fault_is_named_at_once() -> None:
    bad = replace(GOOD, address=" ", owner_name="", contractor="x" * 201, lon=200.0, lat=float("nan"),
                  expected_waste_m3=10_000.5, owner_phone="1", starts_on="2026-12-10")  # type: ignore[arg-type]
    assert set(registration_problems(bad, TODAY)) == {"address", "owner_name", "contractor", "lon", "lat",
                                               "expected_waste_m3", "owner_phone", "starts_on"}


def test_the_distance_in_metres() -> None:
    assert distance_m(117.65, 24.51, 117.65, 24.51) == 0
    assert 110 < distance_m(117.65, 24.51, 117.65, 24.511) < 112  # a thousandth of a degree of latitude
    assert 100 < distance_m(117.65, 24.51, 117.651, 24.51) < 102  # of longitude, at 24.5° N
