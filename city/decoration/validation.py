"""What a decoration works' registration must satisfy, field by field (装修登记): every problem named at once, so
the API, the page and the command line refuse the same things the same way."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any

from city.decoration.commands import RegisterDecorationWorks
from engine.domain.input_limits import text_fault

REFUSED = "the decoration works was refused"
MAX_PERIOD_DAYS = 366  # a works is registered for at most a year (a leap year's day included)
# a works starts at most a year before the city's today (registered late) and at most two years ahead of it:
# dates far outside make no works and overflow the period's timers (9999-12-31 has no next day)
STARTS_BACK_DAYS = 365
STARTS_AHEAD_DAYS = 730
MAX_WASTE_M3 = 10_000.0
# a mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (0xx(x)-xxxxxxx(x)), with an extension
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")
TEXT_LIMITS = {"address": 300, "compound_name": 200, "owner_name": 100, "contractor": 200}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _period_problems(starts_on: Any, ends_on: Any, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not isinstance(starts_on, date):
        problems["starts_on"] = "must be a date (YYYY-MM-DD)"
    if not isinstance(ends_on, date):
        problems["ends_on"] = "must be a date (YYYY-MM-DD)"
    if problems:
        return problems
    first, last = today - timedelta(days=STARTS_BACK_DAYS), today + timedelta(days=STARTS_AHEAD_DAYS)
    if not first <= starts_on <= last:
        return {"starts_on": f"must be from {first} to {last} (开工日期: a year back to two years ahead)"}
    if ends_on < starts_on:
        return {"ends_on": "must be on or after starts_on (竣工日期不得早于开工日期)"}
    if ends_on < today:
        return {"ends_on": f"the works' period is over already: must be {today} or later (装修期已结束)"}
    if (ends_on - starts_on).days >= MAX_PERIOD_DAYS:
        return {"ends_on": "the works may last at most a year (装修期不超过一年)"}
    return {}


def registration_problems(cmd: RegisterDecorationWorks, today: date) -> dict[str, str]:
    """Every field of ``cmd`` at fault, with what is wrong (empty: none), ``today`` being the city's date (the
    period's window); the place is checked by the handler."""
    problems: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        fault = text_fault(getattr(cmd, name), limit, required=name != "compound_name")
        if fault is not None:
            problems[name] = fault
    if not isinstance(cmd.owner_phone, str) or not PHONE.fullmatch(cmd.owner_phone.strip()):
        problems["owner_phone"] = "must be a mobile (11 digits) or a landline with its area code (0596-1234567)"
    if not _number(cmd.lon) or not -180 <= cmd.lon <= 180:
        problems["lon"] = "must be a longitude (-180..180)"
    if not _number(cmd.lat) or not -90 <= cmd.lat <= 90:
        problems["lat"] = "must be a latitude (-90..90)"
    if not _number(cmd.expected_waste_m3) or not 0 <= cmd.expected_waste_m3 <= MAX_WASTE_M3:
        problems["expected_waste_m3"] = f"must be a number of cubic metres from 0 to {MAX_WASTE_M3:,.0f}"
    return problems | _period_problems(cmd.starts_on, cmd.ends_on, today)
