"""Stored times as epoch microseconds (int64 arrays) for the KPI reads, without a datetime object per value.

SQLite keeps a time as naive UTC text, ``yyyy-mm-dd hh:mm:ss.ffffff`` (SQLAlchemy's format, ``SqlDialect.stamp``):
a column of them is joined into one ASCII buffer and its digits read as a (rows × 26) array; the day number is
the proleptic Gregorian one (days from civil). Text of another shape is left to numpy's parser (the same
instants, ~3× slower); PostgreSQL's times come already converted in SQL.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.persistence.repositories.cases import CaseStore

NULL_TIME = np.iinfo(np.int64).min  # numpy's NaT: a NULL time
WIDTH = 26
NULL_TEXT = "0000-00-00 00:00:00.000000"  # year 0, no stored time has it: a NULL (``COALESCE`` in SQL)
_SEPARATORS = {4: "-", 7: "-", 10: " ", 13: ":", 16: ":", 19: "."}
_SEP_AT = np.array(list(_SEPARATORS))
_SEP_CHARS = np.frombuffer("".join(_SEPARATORS.values()).encode(), dtype=np.uint8)
_DIGITS = np.array([i for i in range(WIDTH) if i not in _SEPARATORS])
# each field's (first, last) character: year, month, day, hour, minute, second, microsecond
_FIELDS = ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19), (20, 26))


def _number(digits: np.ndarray, first: int, last: int) -> np.ndarray:
    """The decimal number of the characters ``first`` to ``last`` (excluded; ``digits`` a row per character)."""
    out: np.ndarray = digits[first].astype(np.int64)
    for column in range(first + 1, last):
        out = out * 10 + digits[column]
    return out


def _days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of each date (proleptic Gregorian; H. Hinnant's days_from_civil)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days: np.ndarray = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return days


def _fixed(values: list[Any]) -> np.ndarray | None:
    """The times of ``values`` (text of the stored shape, ``NULL_TEXT`` or None), or None when any is of another
    shape."""
    try:
        try:
            text = "".join(values)
        except TypeError:  # a None
            text = "".join([value or NULL_TEXT for value in values])
        raw = text.encode("ascii")
    except (TypeError, UnicodeEncodeError):
        return None
    if len(raw) != WIDTH * len(values):
        return None
    chars = np.frombuffer(raw, dtype=np.uint8).reshape(len(values), WIDTH)
    digits = chars - ord("0")  # uint8: a character below "0" wraps past 9
    if (chars[:, _SEP_AT] != _SEP_CHARS).any() or (digits[:, _DIGITS] > 9).any():
        return None
    digits = np.ascontiguousarray(digits.T)  # a row per character: each field's digits read in order
    year, month, day, hour, minute, second, micro = (_number(digits, first, last) for first, last in _FIELDS)
    null = year == 0
    if ((month < 1) | (month > 12) | (day < 1) | (day > 31))[~null].any():
        return None
    seconds = ((_days(year, month, day) * 24 + hour) * 60 + minute) * 60 + second
    return np.where(null, NULL_TIME, seconds * 1_000_000 + micro)


def epoch_micros(values: list[Any], sqlite: bool) -> np.ndarray:
    """Stored times as epoch microseconds, NULL (None or, from SQLite, ``NULL_TEXT``) as ``NULL_TIME``: SQLite's
    text read as above (numpy parses any other shape), PostgreSQL's already converted in SQL (integers)."""
    if not sqlite:
        return np.array([NULL_TIME if v is None else v for v in values], dtype=np.int64)
    fixed = _fixed(values)
    if fixed is not None:
        return fixed
    return np.array([None if v == NULL_TEXT else v for v in values], dtype="datetime64[us]").view(np.int64)


def epoch_us(store: CaseStore, column: str) -> str:
    """SQL of a timestamp column as exact epoch microseconds (SQLite stores naive UTC text with six decimals): for
    reads of many rows, where an integer costs the driver far less than a timestamp with its zone."""
    if store.dialect.sqlite:
        return (f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
                f" + CAST(substr({column}, 21, 6) AS INTEGER))")
    return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"
