"""The channels the system sets itself (``assessment`` 考评整改, ``gps`` GPS alerts) are refused in a report: a
seat or collector naming one would skip 核实 (assessment) or pass for a vehicle alert. Refused by the report's
one check (``city.intake.report.report_problems``), so by the API, the report page and the command line alike."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from api_support import Api, error_of
from pages_support import Browser

from city.commands import ReportProblem
from engine.domain.forms import FieldsRejected


def _cases(api: Api) -> int:
    with api.deps.db.connect() as conn:
        return int(conn.execute(sa.text("SELECT COUNT(*) FROM cases")).scalar_one())


@pytest.mark.parametrize("channel", ["assessment", "gps"])
def test_a_report_on_a_system_channel_is_422_naming_channel_and_starts_nothing(api: Api, channel: str) -> None:
    before = _cases(api)
    error = error_of(api.report("seat01", channel=channel), 422)
    assert "set by the system only" in error["fields"]["channel"], error
    error = error_of(api.report("collector001", channel=channel), 422)
    assert set(error["fields"]) == {"channel"}, error
    assert _cases(api) == before


def test_the_command_itself_refuses_a_system_channel(api: Api) -> None:
    before = _cases(api)
    with pytest.raises(FieldsRejected) as refused:
        api.bus.handle(ReportProblem("0601", "forged 考评整改", 117.65, 24.51, "assessment", "seat01"))
    assert "channel" in refused.value.fields
    assert _cases(api) == before


def test_the_reporters_channels_still_report(api: Api) -> None:
    for channel in ("hotline", "patrol", "census"):
        assert api.new_case("seat01", channel=channel)


def test_the_report_page_offers_no_system_channel(api: Api) -> None:
    page = Browser(api, "seat01").get("/report/new")
    offered = set(re.findall(r'<option value="([a-z_]+)"', page.text))
    assert {"hotline", "patrol"} <= offered and not offered & {"assessment", "gps"}, sorted(offered)
