"""An open live stream ends (event ``ended``) once its account is disabled or its role changes: the stream looks
at its account again (here on every wake-up, ``GRIDCASE_LIVE_RECHECK`` 0) and its old groups' events stop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api
from live_support import EventReader, open_stream

from engine.domain.account_commands import ChangeUserRole, DisableUser
from web.live import HUB


@pytest.fixture
def live(city: str, tmp_path: Path) -> Iterator[Api]:
    """The app over the seeded city, its streams waking every 0.2 s and looking at their account each time."""
    api = Api(city, tmp_path)
    api.app.config["GRIDCASE_LIVE_HEARTBEAT"] = 0.2
    api.app.config["GRIDCASE_LIVE_RECHECK"] = 0.0
    api.app.extensions[HUB + ".poll_every"] = 0.2
    yield api
    api.app.extensions[HUB].close()
    api.close()


def _ends_on(live: Api, user: str, change: object) -> None:
    reader = EventReader(open_stream(live, user))
    try:
        assert reader.next_event()[0] == "inbox"
        live.bus.handle(change)
        assert reader.next_event(name="ended") == ("ended", {"reason": "account changed"})
    finally:
        reader.close()
    assert live.app.extensions[HUB].count(user) == 0


def test_a_disabled_users_open_stream_ends(live: Api) -> None:
    _ends_on(live, "seat04", DisableUser("seat04", "admin", comment="left"))


def test_a_role_change_ends_the_stream_of_the_old_groups(live: Api) -> None:
    _ends_on(live, "seat05", ChangeUserRole("seat05", "admin", "shift_lead"))
