"""Accounts: users and passwords, task groups per role, API tokens and ``gridcase user`` (the login throttle:
test_login_throttle.py)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand, NotFound
from engine.service.accounts import (
    ROLES,
    TOKEN_TOUCH,
    Principal,
    authenticate,
    list_users,
    principal,
    resolve_token,
)
from engine.service.bus import MessageBus

Sql = Callable[..., list[sa.Row]]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse"


def _seed_city(db: sa.Engine) -> None:
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO districts (code, name, geometry) VALUES ('350602', '芗城区', '{}')"))
        conn.execute(sa.text("INSERT INTO departments (code, name_zh, name_en, level, district_code)"
                             " VALUES ('WATER', '水务局', 'Water bureau', 'city', NULL)"))


@pytest.fixture
def bus(db: sa.Engine, clock: FakeClock) -> MessageBus:
    _seed_city(db)
    return bootstrap(db, clock)


def test_a_user_signs_in_with_the_right_password_only(bus: MessageBus, sql: Sql) -> None:
    added = bus.handle(c.AddUser("zhang.wei", "张伟", "collector", PASSWORD, district="350602"))
    assert added == Principal("zhang.wei", "张伟", "collector", None, "350602")
    assert authenticate(bus.deps, "zhang.wei", PASSWORD) == added == principal(bus.deps, "zhang.wei")
    assert authenticate(bus.deps, "zhang.wei", "wrong password") is None
    assert authenticate(bus.deps, "nobody", PASSWORD) is None
    assert principal(bus.deps, "nobody") is None
    (row,) = sql("SELECT password_hash FROM users WHERE username = 'zhang.wei'")
    assert row.password_hash.startswith("scrypt$") and PASSWORD not in row.password_hash
    member = bus.handle(c.AddUser("li.na", "  ", "department_member", PASSWORD, department="WATER"))
    assert member.display_name == "li.na"


def test_set_password_replaces_the_old_one(bus: MessageBus) -> None:
    bus.handle(c.AddUser("admin1", "Admin", "admin", PASSWORD))
    bus.handle(c.SetPassword("admin1", "a new secret"))
    assert authenticate(bus.deps, "admin1", PASSWORD) is None
    assert authenticate(bus.deps, "admin1", "a new secret") is not None
    with pytest.raises(NotFound) as missing:
        bus.handle(c.SetPassword("nobody", "a new secret"))
    assert missing.value.field == "username"
    with pytest.raises(InvalidCommand) as short:
        bus.handle(c.SetPassword("admin1", "short"))
    assert short.value.field == "password"


BAD_USERS = [
    ({"username": "ab"}, "username"),
    ({"username": "has space"}, "username"),
    ({"username": "trailing\n"}, "username"),
    ({"username": "x" * 65}, "username"),
    ({"password": "1234567"}, "password"),
    ({"role": "mayor"}, "role"),
    ({"role": "department_member"}, "department"),
    ({"role": "department_member", "department": "NOPE"}, "department"),
    ({"department": "NOPE"}, "department"),
    ({"role": "collector"}, "district"),
    ({"role": "collector", "district": "999999"}, "district"),
]


def test_each_refusal_names_the_field_and_stores_nothing(bus: MessageBus, sql: Sql) -> None:
    for change, field in BAD_USERS:
        user = {"username": "wang.fang", "display_name": "王芳", "role": "dispatcher", "password": PASSWORD, **change}
        with pytest.raises(InvalidCommand) as refused:
            bus.handle(c.AddUser(**user))
        assert refused.value.field == field, (change, refused.value.message)
    assert sql("SELECT username FROM users") == []


def test_a_username_is_taken_whatever_its_case(bus: MessageBus) -> None:
    bus.handle(c.AddUser("wang.fang", "王芳", "dispatcher", PASSWORD))
    for name in ("wang.fang", "Wang.Fang"):
        with pytest.raises(InvalidCommand, match="already exists") as refused:
            bus.handle(c.AddUser(name, "Other", "auditor", PASSWORD))
        assert refused.value.field == "username"


def test_roles_map_to_task_groups_and_read_rights() -> None:
    def person(role: str, department: str | None = None, district: str | None = None) -> Principal:
        return Principal("p", "P", role, department, district)

    # everyone who works tasks also works their own person:<username> group (an assembly call's tasks)
    assert person("collector", district="350602").groups == {"collector:350602", "person:p"}
    assert person("department_member", department="WATER").groups == {"WATER", "person:p"}
    assert person("collector").groups == {"person:p"}
    for role in ("seat_operator", "shift_lead", "dispatcher", "supervisor"):
        assert person(role).groups == {role, "person:p"}
        assert person(role).reads_everything and person(role).acts_on_tasks
    for role in ("process_designer", "auditor", "admin", "integration", "vision_worker"):
        assert person(role).groups == frozenset() and not person(role).acts_on_tasks
    assert [person(r).actor_kind for r in ("seat_operator", "integration", "vision_worker")] == [
        "person", "api_client", "vision_worker"]
    assert person("auditor").reads_everything and person("admin").reads_everything
    assert not person("integration").reads_everything and not person("process_designer").reads_everything
    assert not person("collector", district="350602").reads_everything
    assert not person("department_member", department="WATER").reads_everything
    assert set(ROLES) == {"collector", "seat_operator", "shift_lead", "dispatcher", "department_member",
                          "supervisor", "process_designer", "auditor", "admin", "integration", "vision_worker"}


def test_tokens_resolve_until_revoked_and_only_their_hash_is_stored(bus: MessageBus, clock: FakeClock,
                                                                     sql: Sql) -> None:
    vision = bus.handle(c.AddUser("vision-worker", "Vision", "integration", PASSWORD))
    token = bus.handle(c.IssueApiToken("vision-worker", "camera feed"))
    other = bus.handle(c.IssueApiToken("vision-worker", "backup"))
    assert token.startswith("gct_") and len(token) > 40 and token != other
    rows = sql("SELECT * FROM api_tokens ORDER BY id")
    assert [r.token_hash for r in rows] == [hashlib.sha256(t.encode()).hexdigest() for t in (token, other)]
    assert all(token not in str(value) for r in rows for value in r)
    holder = resolve_token(bus.deps, token)
    assert holder is not None and holder.principal == vision and holder.last_used_at is None
    assert holder.use_to_note(clock.now())
    assert sql("SELECT last_used_at FROM api_tokens WHERE name = 'camera feed'")[0].last_used_at is None  # a read
    assert bus.handle(c.RecordTokenUse(holder.token_id))
    first_use = sql("SELECT last_used_at FROM api_tokens WHERE name = 'camera feed'")[0].last_used_at
    assert first_use is not None
    clock.advance(TOKEN_TOUCH - timedelta(seconds=1))
    again = resolve_token(bus.deps, token)
    assert again is not None and not again.use_to_note(clock.now())  # noted recently: nothing to write
    assert not bus.handle(c.RecordTokenUse(holder.token_id))  # a racing request's note changes nothing
    assert sql("SELECT last_used_at FROM api_tokens WHERE name = 'camera feed'")[0].last_used_at == first_use
    clock.advance(seconds=1)
    later = resolve_token(bus.deps, token)
    assert later is not None and later.use_to_note(clock.now()) and bus.handle(c.RecordTokenUse(holder.token_id))
    assert sql("SELECT last_used_at FROM api_tokens WHERE name = 'camera feed'")[0].last_used_at != first_use
    for bogus in ("", "gct_", "gct_" + "x" * 43, token + "x", "Bearer " + token):
        assert resolve_token(bus.deps, bogus) is None
    assert bus.handle(c.RevokeApiTokens("vision-worker")) == 2
    assert resolve_token(bus.deps, token) is None and resolve_token(bus.deps, other) is None
    assert bus.handle(c.RevokeApiTokens("vision-worker")) == 0


def test_tokens_need_a_user_and_a_name(bus: MessageBus) -> None:
    with pytest.raises(NotFound) as missing:
        bus.handle(c.IssueApiToken("nobody", "cli"))
    assert missing.value.field == "username"
    with pytest.raises(NotFound):
        bus.handle(c.RevokeApiTokens("nobody"))
    bus.handle(c.AddUser("ext", "External system", "integration", PASSWORD))
    with pytest.raises(InvalidCommand) as unnamed:
        bus.handle(c.IssueApiToken("ext", "  "))
    assert unnamed.value.field == "name"


def test_list_users_filters_by_role(bus: MessageBus) -> None:
    bus.handle(c.AddUser("b.collector", "B", "collector", PASSWORD, district="350602"))
    bus.handle(c.AddUser("a.auditor", "A", "auditor", PASSWORD))
    assert [p.username for p in list_users(bus.deps)] == ["a.auditor", "b.collector"]
    assert [p.username for p in list_users(bus.deps, "collector")] == ["b.collector"]
    with pytest.raises(InvalidCommand) as unknown:
        list_users(bus.deps, "mayor")
    assert unknown.value.field == "role"


def _gridcase(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "user", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_cli_adds_users_sets_passwords_issues_tokens_and_lists(db_url_engine: tuple[str, sa.Engine]) -> None:
    url, db = db_url_engine
    _seed_city(db)
    deps = bootstrap(db, FakeClock()).deps
    added = _gridcase(url, "add", "zhao.lei", "--role", "collector", "--district", "350602", "--name", "赵磊",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert authenticate(deps, "zhao.lei", PASSWORD) == Principal("zhao.lei", "赵磊", "collector", None, "350602")
    again = _gridcase(url, "add", "zhao.lei", "--role", "auditor", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "error: user 'zhao.lei' already exists" in again.stderr
    member = _gridcase(url, "add", "qian.li", "--role", "department_member", "--password-stdin", stdin=PASSWORD)
    assert member.returncode == 1 and "needs a department" in member.stderr
    short = _gridcase(url, "add", "sun.yu", "--role", "auditor", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "characters" in short.stderr and principal(deps, "sun.yu") is None

    changed = _gridcase(url, "passwd", "zhao.lei", "--password-stdin", stdin="another secret\n")
    assert changed.returncode == 0, changed.stderr
    assert authenticate(deps, "zhao.lei", "another secret") is not None
    missing = _gridcase(url, "passwd", "nobody", "--password-stdin", stdin="another secret\n")
    assert missing.returncode == 1 and "no user 'nobody'" in missing.stderr

    issued = _gridcase(url, "token", "zhao.lei", "--name", "field app")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("gct_") and resolve_token(deps, token) is not None and "shown again" in issued.stderr
    assert _gridcase(url, "token", "nobody").returncode == 1

    _gridcase(url, "add", "audit", "--role", "auditor", "--password-stdin", stdin=PASSWORD)
    listed = _gridcase(url, "list")
    assert listed.returncode == 0 and listed.stdout.splitlines() == [
        "audit\tauditor\t-\t-\taudit", "zhao.lei\tcollector\t-\t350602\t赵磊"]
    assert _gridcase(url, "list", "--role", "auditor").stdout.splitlines() == ["audit\tauditor\t-\t-\taudit"]
    bad_role = _gridcase(url, "list", "--role", "mayor")
    assert bad_role.returncode == 1 and "unknown role 'mayor'" in bad_role.stderr
