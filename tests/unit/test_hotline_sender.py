"""One push's HTTP POST against real local sockets (no database): ``timeout_seconds`` bounds the whole attempt —
a receiver dribbling its answer a byte at a time is cut off, not waited for — a redirect is an answer (never
followed), and a signed 2xx is sent."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from city.connectors.config_hotline import LIMITS
from city.connectors.deliveries import LEASE, Push
from city.connectors.sender import send

ENV = {"TEST_PUSH_SECRET": "s"}
ANSWER_200 = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 20 + b"\r\nContent-Length: 0\r\n\r\n"


def _serve(listener: socket.socket, answer: bytes, pause: float, stop: threading.Event) -> None:
    """Answer one request with ``answer``, one byte every ``pause`` seconds."""
    conn, _ = listener.accept()
    with conn:
        conn.settimeout(10)
        request = b""
        while b"\r\n\r\n{}" not in request:  # the whole request (its body is "{}"), so closing resets nothing
            request += conn.recv(65536)
        for byte in answer:
            if stop.is_set():
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up
            time.sleep(pause)
        try:
            while conn.recv(65536):  # until the client closes
                pass
        except OSError:
            pass


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[int]:
    answer, pause = request.param
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, answer, pause, stop), daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    listener.close()


def _push(port: int, timeout: int = 1) -> Push:
    return Push(7, "slow", f"http://127.0.0.1:{port}/gdfk", "{}", "TEST_PUSH_SECRET", timeout,
                datetime(2026, 12, 7, tzinfo=UTC))


@pytest.mark.parametrize("receiver", [(ANSWER_200, 0.2)], indirect=True)
def test_a_dribbling_receiver_is_cut_off_at_the_timeout(receiver: int) -> None:
    result = send(_push(receiver), 1_800_000_000.0, ENV)
    assert result.http_status is None and result.error is not None and "timed out" in result.error
    assert result.claimed_at == datetime(2026, 12, 7, tzinfo=UTC)


@pytest.mark.parametrize("receiver", [(ANSWER_200, 0.0)], indirect=True)
def test_a_prompt_answer_is_sent(receiver: int) -> None:
    result = send(_push(receiver, 5), 1_800_000_000.0, ENV)
    assert (result.http_status, result.error) == (200, None)


@pytest.mark.parametrize("receiver", [(b"HTTP/1.1 302 Found\r\nLocation: http://example.com/\r\n"
                                       b"Content-Length: 0\r\n\r\n", 0.0)], indirect=True)
def test_a_redirect_is_an_answer_not_followed(receiver: int) -> None:
    result = send(_push(receiver, 5), 1_800_000_000.0, ENV)
    assert result.http_status == 302 and result.error is not None


def test_a_missing_secret_sends_nothing() -> None:
    result = send(_push(9), 1_800_000_000.0, {})
    assert result.http_status is None and "TEST_PUSH_SECRET" in str(result.error)


def test_a_round_fits_in_the_lease() -> None:
    # a round sends its pushes at once, each within its timeout (connecting, then the rest): a claim is reported
    # before its lease passes and the push is claimed again
    assert 2 * LIMITS["timeout_seconds"][1] < LEASE.total_seconds()
