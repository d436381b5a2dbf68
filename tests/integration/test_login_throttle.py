"""The login throttle lives in the database: two app instances on one database count together; an account backs
off exponentially; a noisy address (a proxy everyone shares) never refuses the right password of an account
that is not itself blocked; X-Forwarded-For names the client only behind a trusted proxy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from auth_support import PASSWORD, App, add_accounts, sign_in
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.throttle import RULES, sign_in_state

WRONG = "not the password"
Sql = Callable[..., list[sa.Row]]


@pytest.fixture
def url(db_url_engine: tuple[str, Engine]) -> str:
    return db_url_engine[0]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def two(url: str, clock: FakeClock) -> Iterator[tuple[App, App]]:
    """Two app instances (own engines and buses: two web processes) on one database and one clock."""
    first, second = App(url, clock), App(url, clock)
    add_accounts(first.bus)
    yield first, second
    first.close()
    second.close()


def _statuses(app: App, username: str, password: str, times: int, **kwargs: object) -> list[int]:
    return [app.token(username, password, **kwargs).status_code for _ in range(times)]


def test_two_app_instances_share_the_throttle(two: tuple[App, App]) -> None:
    first, second = two
    assert _statuses(first, "seat", WRONG, 3) + _statuses(second, "seat", WRONG, 2) == [401] * 5
    assert first.token("seat").status_code == 429  # blocked for both: the fifth failure was the other's
    assert second.token("seat").status_code == 429
    assert sign_in(second.client(), "seat").status_code == 429  # and on the login page


def test_the_account_backs_off_exponentially_and_then_signs_in(two: tuple[App, App], clock: FakeClock) -> None:
    first, second = two
    assert _statuses(first, "seat", WRONG, 5) == [401] * 5
    for block in (30, 60, 120, 240):
        clock.advance(seconds=block - 1)
        refused = second.token("seat")
        assert refused.status_code == 429 and "1 s" in refused.json["error"]["message"], block
        assert refused.headers["Retry-After"] == "1"  # clients need not read the message
        clock.advance(seconds=1)
        assert first.token("seat", WRONG).status_code == 401  # checked again, wrong again: twice as long
    clock.advance(seconds=480)
    assert second.token("seat").status_code == 200
    assert _statuses(first, "seat", WRONG, 4) == [401] * 4  # signing in forgave the run
    assert first.token("seat").status_code == 200


def test_the_back_off_stops_growing_at_its_cap(two: tuple[App, App], clock: FakeClock) -> None:
    first, _second = two
    for _ in range(RULES.account_free + 12):
        first.token("seat", WRONG)
        clock.advance(RULES.account_cap)
    state = sign_in_state(first.bus.deps, "seat", "127.0.0.1")
    assert state.account_wait == 0 and state.account_failures == RULES.account_free + 12
    first.token("seat", WRONG)
    assert sign_in_state(first.bus.deps, "seat", "127.0.0.1").account_wait == RULES.account_cap.total_seconds()


def test_the_review_case_a_noisy_address_does_not_lock_out_other_accounts(two: tuple[App, App],
                                                                         clock: FakeClock) -> None:
    """40 wrong passwords for one account from the shared address: that account waits, everyone else signs in."""
    first, second = two
    statuses = _statuses(first, "seat", WRONG, 20) + _statuses(second, "seat", WRONG, 20)
    assert statuses == [401] * 5 + [429] * 35
    assert sign_in_state(first.bus.deps, "seat", "127.0.0.1").address_noisy
    assert second.token("seat2").status_code == 200
    assert sign_in(first.client(), "boss").status_code == 302
    assert first.token("seat").status_code == 429  # the attacked account itself waits out its back-off
    clock.advance(RULES.account_block(5) or timedelta(0))
    assert first.token("seat").status_code == 200


def test_spraying_from_a_noisy_address_gets_one_guess_per_account(two: tuple[App, App]) -> None:
    first, second = two
    for number in range(RULES.address_limit - 1):
        assert first.token(f"nobody{number}", WRONG).status_code == 401
    assert first.token("nobody", WRONG).status_code == 429  # the miss that makes the address noisy
    assert second.token("seat2", WRONG).status_code == 429  # from a noisy address one miss blocks the account
    assert second.token("seat2").status_code == 429
    assert second.token("seat").status_code == 200  # an account with no misses signs in from there
    elsewhere = first.token("reader", WRONG, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert elsewhere.status_code == 401  # another address is not noisy


def test_x_forwarded_for_is_believed_only_behind_a_trusted_proxy(url: str, clock: FakeClock) -> None:
    direct = App(url, clock)
    add_accounts(direct.bus)
    proxied = App(url, clock, GRIDCASE_TRUSTED_PROXIES="1")
    try:
        for number in range(RULES.address_limit):  # each from a "different" forwarded address: all are 127.0.0.1
            direct.token(f"x{number}", WRONG, headers={"X-Forwarded-For": f"203.0.113.{number}"})
        assert sign_in_state(direct.bus.deps, "-", "127.0.0.1").address_noisy
        assert not sign_in_state(direct.bus.deps, "-", "203.0.113.1").address_noisy
        for number in range(RULES.address_limit):  # behind the proxy, the forwarded address is the client's
            proxied.token(f"y{number}", WRONG, headers={"X-Forwarded-For": "198.51.100.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.2"})
        assert sign_in_state(proxied.bus.deps, "-", "198.51.100.7").address_noisy
        assert not sign_in_state(proxied.bus.deps, "-", "10.0.0.2").address_noisy
    finally:
        direct.close()
        proxied.close()


def test_idle_throttle_rows_are_forgotten(two: tuple[App, App], clock: FakeClock, sql: Sql) -> None:
    first, _second = two
    for number in range(3):
        first.token(f"sprayed{number}", WRONG)
    assert len(sql("SELECT * FROM login_throttle")) == 4  # three accounts and the address
    clock.advance(RULES.idle + timedelta(seconds=1))
    first.token("seat", WRONG)
    assert sorted((r.scope, r.subject) for r in sql("SELECT scope, subject FROM login_throttle")) == [
        ("account", "seat"), ("address", "127.0.0.1")]


def test_a_right_password_writes_nothing_when_there_is_nothing_to_forgive(two: tuple[App, App], sql: Sql) -> None:
    first, _second = two
    assert sign_in(first.client(), "seat", PASSWORD).status_code == 302
    assert sql("SELECT * FROM login_throttle") == []
