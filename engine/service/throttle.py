"""The login throttle: failed sign-ins counted in the database, per account and per client address.

Every web process (and every machine) on one database counts together, so a second worker or a restart does not
hand out fresh attempts.

- **An account** may fail ``account_free`` times in a row; each further failure blocks it for
  ``account_base × 2ⁿ`` (n = failures beyond the free ones, at most ``account_cap``). While it is blocked no
  password of it is checked at all (429), so guessing one account's password gets slower and slower. Its count
  is forgotten when it signs in, or ``account_forget`` after its last failure.
- **An address** counts its refused sign-ins (wrong passwords for any account, attempts on blocked accounts)
  within ``address_window``; from ``address_limit`` on it is *noisy*. A noisy address refuses nobody by itself:
  behind a proxy every person shares one address, and a right password of an account that is not blocked
  still signs in. A wrong password from a noisy address blocks that account at once (its free failures are
  spent), so spraying guesses across many accounts from one address gets one guess per account per back-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from engine.domain import commands as c
from engine.persistence.repositories.login_throttle import ACCOUNT, ADDRESS, LoginThrottleStore, ThrottleRow

if TYPE_CHECKING:
    from engine.service.bus import HandlerContext
    from engine.service.deps import Deps

KEY_LENGTH = 200  # the column's width: a longer username or address is cut (it matches no account anyway)


@dataclass(frozen=True)
class ThrottleRules:
    """How many failures are free, how the back-off grows, and when an address is noisy."""

    account_free: int = 5
    account_base: timedelta = timedelta(seconds=30)
    account_cap: timedelta = timedelta(minutes=15)
    account_forget: timedelta = timedelta(hours=1)
    address_limit: int = 30
    address_window: timedelta = timedelta(minutes=15)
    idle: timedelta = timedelta(days=1)  # rows without a failure this long are deleted

    def account_block(self, failures: int) -> timedelta | None:
        """How long an account is blocked after its ``failures``-th failure in a row (None: not blocked)."""
        if failures < self.account_free:
            return None
        doublings = min(failures - self.account_free, 20)  # 2**20 × 30 s is far past any cap
        block: timedelta = min(self.account_base * (1 << doublings), self.account_cap)
        return block


RULES = ThrottleRules()


@dataclass(frozen=True)
class SignInState:
    """What the throttle knows of an account and an address now."""

    account_failures: int  # failures in a row that are not forgotten yet
    account_wait: float  # seconds until the account's password is checked again (0: now)
    address_noisy: bool


def _key(value: str) -> str:
    return value[:KEY_LENGTH]


def _account_failures(row: ThrottleRow | None, now: datetime, rules: ThrottleRules) -> int:
    if row is None or now - row.last_failure_at >= rules.account_forget:
        return 0
    return row.failures


def _wait(row: ThrottleRow | None, now: datetime) -> float:
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0.0
    return (row.blocked_until - now).total_seconds()


def _noisy(row: ThrottleRow | None, now: datetime, rules: ThrottleRules) -> bool:
    return row is not None and now - row.window_start < rules.address_window and row.failures >= rules.address_limit


def sign_in_state(deps: Deps, username: str, address: str, rules: ThrottleRules = RULES) -> SignInState:
    """The account's and the address's state before a sign-in (a read: nothing is written)."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        rows = uow.repository(LoginThrottleStore)
        account, from_address = rows.row(ACCOUNT, _key(username)), rows.row(ADDRESS, _key(address))
    return SignInState(_account_failures(account, now, rules), _wait(account, now), _noisy(from_address, now, rules))


def _count_address(rows: LoginThrottleStore, address: str, now: datetime, rules: ThrottleRules) -> bool:
    """Add a failure to the address's window (a new window when the last one is over); True when noisy."""
    row = rows.locked_row(ADDRESS, address, now)
    if row.failures == 0 or now - row.window_start >= rules.address_window:
        row = ThrottleRow(1, now, now, None)
    else:
        row = ThrottleRow(row.failures + 1, row.window_start, now, None)
    rows.save(ADDRESS, address, row)
    return _noisy(row, now, rules)


def _count_account(rows: LoginThrottleStore, username: str, now: datetime, noisy: bool,
                   rules: ThrottleRules) -> ThrottleRow:
    """Add a failure to the account's run and block it when the run is long enough (at once from a noisy
    address)."""
    row = rows.locked_row(ACCOUNT, username, now)
    failures = _account_failures(row, now, rules) + 1
    if noisy:
        failures = max(failures, rules.account_free)
    block = rules.account_block(failures)
    counted = ThrottleRow(failures, now, now, now + block if block else None)
    rows.save(ACCOUNT, username, counted)
    return counted


def record_login_failure(cmd: c.RecordLoginFailure, ctx: HandlerContext, rules: ThrottleRules = RULES) -> SignInState:
    """Count a refused sign-in against the address and (``counts_for_account``) the account; the state after."""
    now = ctx.deps.clock.now()
    username, address = _key(cmd.username), _key(cmd.address)
    with ctx.deps.uow() as uow:
        rows = uow.repository(LoginThrottleStore)
        noisy = _count_address(rows, address, now, rules)
        account = (_count_account(rows, username, now, noisy, rules) if cmd.counts_for_account
                   else rows.row(ACCOUNT, username))
        rows.forget_idle(now - rules.idle)
    return SignInState(_account_failures(account, now, rules), _wait(account, now), noisy)


def clear_login_failures(cmd: c.ClearLoginFailures, ctx: HandlerContext) -> bool:
    """Forget the account's failed sign-ins; False when there were none."""
    with ctx.deps.uow() as uow:
        forgotten: bool = uow.repository(LoginThrottleStore).forget(ACCOUNT, _key(cmd.username))
        return forgotten
