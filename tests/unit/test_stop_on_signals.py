"""``gridcase scheduler`` and ``gridcase run`` stop on SIGINT/SIGTERM without deadlocking on their own stop event."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

import pytest

from cli.servers import stop_on_signals


@pytest.fixture
def restored_handlers() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_a_signal_sets_the_event(restored_handlers: None) -> None:
    stop = stop_on_signals(signal.SIGTERM, signal.SIGINT)
    assert not stop.is_set()
    os.kill(os.getpid(), signal.SIGTERM)
    assert stop.wait(5)


def test_a_second_signal_while_the_event_is_being_set_does_not_deadlock(restored_handlers: None) -> None:
    # Ctrl-C's SIGINT and `run`'s SIGTERM arrive together: the second handler may run while the first one's
    # Event.set holds the event's lock. A handler that set the event itself would wait for that lock forever.
    stop = stop_on_signals(signal.SIGTERM, signal.SIGINT)
    handler = signal.getsignal(signal.SIGINT)
    assert callable(handler)
    returned = threading.Event()

    def nested() -> None:
        with stop._cond:  # type: ignore[attr-defined]  # what Event.set holds while it wakes the waiters
            handler(signal.SIGINT, None)
            returned.set()

    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(5)
    assert returned.is_set(), "the signal handler blocked on the stop event's lock"
    assert stop.wait(5)
