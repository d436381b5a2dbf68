"""Stored SQLite times read as epoch microseconds (``city.persistence.read.kpi_times``) are exactly the instants
SQLAlchemy wrote (``SqlDialect.stamp``), the same as numpy's parser; text of another shape falls back to it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from city.persistence.read.kpi_times import NULL_TEXT, NULL_TIME, _fixed, epoch_micros

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _text(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


EDGES = [datetime(1970, 1, 1, tzinfo=UTC), datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
         datetime(2000, 2, 29, 12, tzinfo=UTC), datetime(2100, 3, 1, tzinfo=UTC), datetime(2024, 12, 31, 23, 59, 59,
                                                                                          999999, tzinfo=UTC),
         datetime(2028, 2, 29, 0, 0, 0, 1, tzinfo=UTC), datetime(1900, 3, 1, tzinfo=UTC)]


def test_edges_and_random_times_are_the_instants_written() -> None:
    rng = random.Random(3)
    moments = EDGES + [EPOCH + timedelta(microseconds=rng.randrange(0, 80 * 365 * 86_400 * 10**6))
                       for _ in range(2000)]
    values: list[str | None] = [_text(m) for m in moments] + [None]
    found = epoch_micros(values, sqlite=True)
    assert _fixed(values) is not None  # the fast path read them
    assert found.tolist() == [_micros(m) for m in moments] + [NULL_TIME]
    assert (found == np.array(values, dtype="datetime64[us]").view(np.int64)).all()


@given(st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)))
def test_any_time_is_read_as_written(at: datetime) -> None:
    assert epoch_micros([_text(at)], sqlite=True).tolist() == [_micros(at)]


def test_other_shapes_are_left_to_numpy() -> None:
    for odd in (["2025-06-01 08:00:00"], ["2025-06-01T08:00:00.000000"], ["2025-13-01 08:00:00.000000"],
                ["2025-06-01 08:00:00.00000x"], ["２025-06-01 08:00:00.000000"], [b"2025-06-01 08:00:00.000000"]):
        assert _fixed(odd) is None
    assert epoch_micros(["2025-06-01 08:00:00", None, NULL_TEXT], sqlite=True).tolist() == [
        _micros(datetime(2025, 6, 1, 8, tzinfo=UTC)), NULL_TIME, NULL_TIME]
    assert epoch_micros([_text(EPOCH), NULL_TEXT], sqlite=True).tolist() == [0, NULL_TIME]  # as SQL coalesced


def test_postgresql_times_come_as_integers() -> None:
    assert epoch_micros([5, None], sqlite=False).tolist() == [5, NULL_TIME]
    assert epoch_micros([], sqlite=True).tolist() == []
