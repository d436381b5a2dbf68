"""The real timer scheduler (APScheduler thread pool): due timers fire on time, and exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from invariants import check_all, rows
from scheduler_support import assert_each_fired_once, start_inspections, wait_until_fired
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock, SystemClock
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus


@contextmanager
def running(*schedulers: TimerScheduler, interval: float = 0.2) -> Iterator[None]:
    """Run each scheduler's loop in its own thread for the duration of the block."""
    stop = threading.Event()
    threads = [threading.Thread(target=s.run, args=(stop, interval), name=f"scheduler-{i}")
               for i, s in enumerate(schedulers)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        assert not any(t.is_alive() for t in threads), "a scheduler did not stop"


def test_due_timers_fire_once_and_never_early(make_bus: Callable[..., MessageBus], db: Engine) -> None:
    bus = make_bus(SystemClock())
    start_inspections(bus, 4, datetime.now(UTC) + timedelta(seconds=1.5))
    scheduler = TimerScheduler(bus)
    with running(scheduler):
        wait_until_fired(db, 4, timeout=30)
        time.sleep(0.3)  # a few more ticks: nothing may fire again
    assert_each_fired_once(db, 4)
    assert scheduler.fired == 4
    for timer in rows(db, "SELECT due_at, fired_at FROM timers"):
        late = as_utc(timer.fired_at) - as_utc(timer.due_at)  # type: ignore[operator]
        # How late is measured by `gridcase bench timers`, not asserted here (a loaded CI machine is slow).
        assert late >= timedelta(0), f"fired {-late} before its due time"
    check_all(db)


def test_two_schedulers_never_fire_a_timer_twice(make_bus: Callable[..., MessageBus], db: Engine) -> None:
    # Fake time an hour behind the wall clock: due timers are also past for APScheduler's real clock.
    clock = FakeClock(datetime.now(UTC) - timedelta(hours=1))
    first, second = make_bus(clock), make_bus(clock)
    start_inspections(first, 50, clock.now() + timedelta(minutes=1))
    clock.advance(minutes=2)
    schedulers = (TimerScheduler(first, workers=4), TimerScheduler(second, workers=4))
    with running(*schedulers, interval=0.05):
        wait_until_fired(db, 50, timeout=20)
        time.sleep(0.3)
    assert_each_fired_once(db, 50)
    assert sum(s.fired for s in schedulers) == 50, "both schedulers reported firing the same timer"
    check_all(db)


def test_catch_up_racing_from_four_threads_fires_each_timer_once(
        make_bus: Callable[..., MessageBus], db: Engine) -> None:
    clock = FakeClock()
    buses = [make_bus(clock) for _ in range(2)]
    start_inspections(buses[0], 30, clock.now() + timedelta(minutes=1))
    clock.advance(minutes=2)
    schedulers = [TimerScheduler(buses[i % 2]) for i in range(4)]
    barrier = threading.Barrier(4)
    outcomes: list[list[str]] = [[] for _ in schedulers]

    def catch_up(i: int) -> None:
        barrier.wait()
        outcomes[i] = schedulers[i].fire_due()

    threads = [threading.Thread(target=catch_up, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    flat = [o for outcome in outcomes for o in outcome]
    assert flat.count("fired") == 30 and "failed" not in flat, sorted(set(flat))
    assert_each_fired_once(db, 30)
    check_all(db)
