"""FEEL's temporal values (DMN 1.5 §10.3.2.3): date, time, date and time, and the two duration kinds.

The evaluator and the built-in functions reach them through this module's functions only; see ``kinds`` for
how each kind is held (nanosecond times, exact integer durations).
"""

from __future__ import annotations

from feel.temporal.arithmetic import add, add_months, compare, divide, equal, identical, multiply, subtract
from feel.temporal.clock import now, today, using_clock
from feel.temporal.dates import FeelDate
from feel.temporal.kinds import (
    DaysTimeDuration,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
    is_date,
    is_temporal,
    to_iso,
    type_name,
)
from feel.temporal.members import from_python, member, to_python
from feel.temporal.parsing import (
    parse_any,
    parse_date,
    parse_date_time,
    parse_days_time,
    parse_duration,
    parse_literal,
    parse_time,
    parse_years_months,
)

__all__ = [
    "DaysTimeDuration",
    "FeelDate",
    "FeelDateTime",
    "FeelTime",
    "YearsMonthsDuration",
    "add",
    "add_months",
    "compare",
    "divide",
    "equal",
    "from_python",
    "identical",
    "is_date",
    "is_temporal",
    "member",
    "multiply",
    "now",
    "parse_any",
    "parse_date",
    "parse_date_time",
    "parse_days_time",
    "parse_duration",
    "parse_literal",
    "parse_time",
    "parse_years_months",
    "subtract",
    "to_iso",
    "to_python",
    "today",
    "type_name",
    "using_clock",
]
