"""Accounts after review: a disabled user is handed no task and keeps none (DisableUser releases them, audited as a
force release, and says how many); adding a user, setting a password, issuing and revoking a token are kept in the
admin change history (never the secret); no change leaves the city without an enabled admin (the CLI too)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_support import PASSWORD, Api, error_of
from supervision_support import events_of, filing_claimed

from engine.domain.account_commands import ChangeUserRole, DisableUser
from engine.domain.commands import AddUser, IssueApiToken, RevokeApiToken, RevokeApiTokens, SetPassword
from engine.domain.errors import InvalidCommand
from engine.service.accounts import list_tokens


def _history(api: Api, kind: str, key: str) -> list[dict[str, Any]]:
    response = api.get(f"/admin/changes?kind={kind}&key={key}", "admin")
    assert response.status_code == 200, response.json
    return list(response.json["changes"])


def test_disabling_a_user_releases_their_tasks_and_they_are_offered_none(api: Api) -> None:
    case_no, task = filing_claimed(api, "shiftlead02")
    done = api.post("/admin/users/shiftlead02/disable", "admin", {"comment": "离职"})
    assert done.status_code == 200, done.json
    assert done.json["released_tasks"] == 1
    last = events_of(api, case_no)[-1]
    assert (last["event_type"], last["actor"]) == ("task_force_released", "admin")
    assert last["data"]["from"] == "shiftlead02" and "离职" in last["data"]["reason"]
    assert _history(api, "user", "shiftlead02")[0]["after"]["tasks_released"] == 1
    assert api.post(f"/tasks/{task}/claim", "shiftlead01").status_code == 200  # back in the group's queue
    offered = api.get(f"/tasks/{task}/eligible", "supervisor01").json
    assert "shiftlead02" not in {p["username"] for p in offered["people"]}
    refused = api.post(f"/tasks/{task}/reassign", "supervisor01", {"to": "shiftlead02", "reason": "交接班"})
    assert "to" in error_of(refused, 422)["fields"]


def test_account_commands_are_kept_in_the_history_without_their_secrets(api: Api) -> None:
    bus = api.bus
    bus.handle(AddUser("audited01", "审计", "collector", PASSWORD, None, "350602", actor="admin"))
    bus.handle(SetPassword("audited01", "another-password-1", actor="admin"))
    token = bus.handle(IssueApiToken("audited01", "kiosk", actor="admin"))
    token_id = list_tokens(api.deps, "audited01")[0].id
    bus.handle(RevokeApiToken("audited01", token_id, actor="admin"))
    bus.handle(RevokeApiTokens("audited01", actor="admin"))
    users = _history(api, "user", "audited01")
    assert [(c["action"], c["actor"]) for c in users] == [("set_password", "admin"), ("add", "admin")]
    assert users[1]["after"]["role"] == "collector"
    tokens = _history(api, "token", "audited01")
    assert [c["action"] for c in tokens] == ["revoke_all", "revoke", "issue"] and tokens[2]["after"]["name"] == "kiosk"
    kept = json.dumps(users + tokens, ensure_ascii=False)
    assert token not in kept and "another-password-1" not in kept and PASSWORD not in kept


def test_no_change_leaves_the_city_without_an_enabled_admin(api: Api) -> None:
    bus = api.bus
    bus.handle(AddUser("admin02", "第二管理员", "admin", PASSWORD, None, None, actor="admin"))
    bus.handle(ChangeUserRole("admin02", "cli:ops", "supervisor"))  # admin is left: allowed
    with pytest.raises(InvalidCommand) as demoted:
        bus.handle(ChangeUserRole("admin", "cli:ops", "supervisor"))
    assert demoted.value.field == "role" and "last enabled admin" in demoted.value.message
    with pytest.raises(InvalidCommand) as disabled:
        bus.handle(DisableUser("admin", "cli:ops"))
    assert disabled.value.field == "username" and "last enabled admin" in disabled.value.message
    bus.handle(ChangeUserRole("admin02", "cli:ops", "admin"))
    done = api.post("/admin/users/admin/disable", "admin02", {})  # admin02 is left: allowed
    assert done.status_code == 200, done.json
    with pytest.raises(InvalidCommand) as last:
        bus.handle(DisableUser("admin02", "cli:ops"))
    assert last.value.field == "username"
    assert api.post("/admin/users/admin/enable", "admin02", {}).status_code == 200
    api.forget_tokens("admin")
