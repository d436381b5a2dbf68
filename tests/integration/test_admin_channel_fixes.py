"""Channels after review: a change that stores the default channels while another change stored them (the table
was empty when read) is refused 409 instead of a 500, and the last active channel cannot be disabled."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api

from city.admin import commands as ac
from engine.domain.errors import ConcurrencyConflict, InvalidCommand
from engine.persistence.repositories.admin import AdminStore


def test_storing_the_defaults_twice_at_once_is_a_409_not_a_500(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    real = AdminStore.channels
    seen: list[int] = []

    def empty_once(self: AdminStore) -> list[dict[str, Any]]:
        if not seen:  # read before the other change's defaults were committed
            seen.append(1)
            return []
        return real(self)

    monkeypatch.setattr(AdminStore, "channels", empty_once)
    with pytest.raises(ConcurrencyConflict):
        api.bus.handle(ac.AddChannel("kiosk", "自助终端", "Kiosk", "admin"))
    monkeypatch.setattr(AdminStore, "channels", real)
    assert api.bus.handle(ac.AddChannel("kiosk", "自助终端", "Kiosk", "admin"))["code"] == "kiosk"  # sent again


def test_the_last_active_channel_cannot_be_disabled(api: Api) -> None:
    codes = [c["code"] for c in api.get("/admin/channels", "admin").json["channels"] if c["active"]]
    for code in codes[:-1]:
        api.bus.handle(ac.EditChannel(code, "admin", active=False))
    with pytest.raises(InvalidCommand) as refused:
        api.bus.handle(ac.EditChannel(codes[-1], "admin", active=False))
    assert refused.value.field == "active"
    for code in codes[:-1]:
        api.bus.handle(ac.EditChannel(code, "admin", active=True))
