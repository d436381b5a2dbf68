"""A unit of work writes only while a command runs: outside one the database itself refuses the write."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.persistence.uow import UnitOfWork, command_scope, in_command

Sql = Callable[..., list[sa.Row]]
INSERT = "INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'auditor', 'x')"


def test_a_unit_of_work_outside_a_command_cannot_write(db: sa.Engine, sql: Sql) -> None:
    assert not in_command()
    with pytest.raises(Exception, match=r"(?i)read-?only"), UnitOfWork(db) as uow:
        uow.store._execute(INSERT, ("outsider", "Outsider"))
    with UnitOfWork(db) as uow:  # a clean exit commits nothing either
        assert uow.read_only
        assert uow.store._execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    assert sql("SELECT username FROM users") == []


def test_inside_a_command_a_clean_exit_commits_and_an_error_rolls_back(db: sa.Engine, sql: Sql) -> None:
    with UnitOfWork(db, read_only=True) as uow:  # the pooled connection comes back writable after a read
        uow.store._execute("SELECT 1")
    with command_scope():
        assert in_command()
        with UnitOfWork(db) as uow:
            assert not uow.read_only
            uow.store._execute(INSERT, ("kept", "Kept"))
        with pytest.raises(RuntimeError), UnitOfWork(db) as uow:
            uow.store._execute(INSERT, ("dropped", "Dropped"))
            raise RuntimeError("the handler failed")
        with pytest.raises(Exception, match=r"(?i)read-?only"), UnitOfWork(db, read_only=True) as uow:
            uow.store._execute(INSERT, ("reader", "Reader"))
    assert not in_command()
    assert [r.username for r in sql("SELECT username FROM users")] == ["kept"]


def test_the_bus_runs_each_handler_in_a_command(db: sa.Engine, sql: Sql) -> None:
    bus = bootstrap(db, FakeClock())
    bus.handle(c.AddUser("by.command", "By command", "auditor", "a long password"))
    assert not in_command()
    assert [r.username for r in sql("SELECT username FROM users")] == ["by.command"]
