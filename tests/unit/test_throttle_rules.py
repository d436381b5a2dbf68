"""The login throttle's back-off: free failures, then doubling blocks up to the cap (no database here)."""

from __future__ import annotations

from datetime import timedelta

from engine.service.throttle import ThrottleRules


def test_an_account_blocks_after_its_free_failures_and_doubles_up_to_the_cap() -> None:
    rules = ThrottleRules()
    assert [rules.account_block(n) for n in range(1, 5)] == [None] * 4
    blocks = [rules.account_block(n) for n in range(5, 12)]
    assert blocks == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 900, 900)]
    assert rules.account_block(10**9) == rules.account_cap  # no overflow however long the run


def test_the_rules_can_be_tuned() -> None:
    rules = ThrottleRules(account_free=2, account_base=timedelta(seconds=1), account_cap=timedelta(seconds=5))
    assert [rules.account_block(n) for n in range(1, 7)] == [
        None, timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=5),
        timedelta(seconds=5)]
