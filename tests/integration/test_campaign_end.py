"""EndCampaign (结束普查) on SQLite and PostgreSQL: through the API (refusals naming the field, nothing written; the
campaign ended with who/when/why, its open sweeps closed and out of the collectors' lists, a swept grid still
done, every case replaying), the progress page's form and note, the report, and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from api_support import Api, error_of
from campaign_support import COLLECTOR, LEAD, rows, start, street_grids, sweep_task
from pages_support import Browser

from city.campaigns.commands import RecordSweepCheck
from engine.domain import commands as c
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus

ROOT = Path(__file__).resolve().parents[2]
REASON = "台风预警，提前收队"


def _swept(bus: MessageBus, campaign: int, grid: str) -> None:
    """Every item of the grid's C01 recorded and its sweep finished by the collector."""
    for item, value in (("damaged", "clear"), ("missing", "clear"), ("uneven", "clear"), ("total", 3)):
        result, count = ("count", value) if isinstance(value, int) else (value, None)
        bus.handle(RecordSweepCheck(campaign, grid, "C01", item, result, count, COLLECTOR))
    bus.handle(c.CompleteHumanTask(sweep_task(bus, campaign, grid)["id"], {}, COLLECTOR, claim_if_free=True))


def _refusals(api: Api, campaign: int) -> None:
    url = f"/campaigns/{campaign}/end"
    assert error_of(api.post(url, LEAD, {}), 422)["fields"].keys() == {"reason"}
    assert error_of(api.post(url, LEAD, {"reason": "   "}), 422)["fields"].keys() == {"reason"}
    for stranger in (COLLECTOR, "dispatcher01", "auditor01"):
        error_of(api.post(url, stranger, {"reason": REASON}), 403)
    assert "campaign_id" in error_of(api.post("/campaigns/999999/end", LEAD, {"reason": REASON}), 404)["fields"]


def _campaign_cases(bus: MessageBus, campaign: int) -> list[int]:
    found = rows(bus, "SELECT case_id FROM campaigns WHERE id = ? UNION ALL"
                      " SELECT case_id FROM campaign_grids WHERE campaign_id = ?", campaign, campaign)
    return [int(r[0]) for r in found]


def test_the_api_ends_a_campaign_early(api: Api) -> None:
    bus = api.bus
    grids = street_grids(bus, 3)
    campaign = start(bus, grids, topics=("C01",))["campaign_id"]
    _swept(bus, campaign, grids[0])
    _refusals(api, campaign)
    assert rows(bus, "SELECT state FROM campaigns WHERE id = ?", campaign) == [("running",)]  # nothing written
    ended = api.post(f"/campaigns/{campaign}/end", "supervisor01", {"reason": REASON})
    assert ended.status_code == 200, ended.json
    summary = api.get(f"/campaigns/{campaign}", LEAD).json
    assert (summary["state"], summary["ended_by"], summary["end_reason"]) == ("ended", "supervisor01", REASON)
    assert summary["ended_at"] and (summary["grids_done"], summary["grids_ended"], summary["grids_open"]) == (1, 2, 0)
    assert rows(bus, "SELECT grid_code, state, done_by FROM campaign_grids WHERE campaign_id = ? ORDER BY grid_code",
                campaign) == [(grids[0], "done", COLLECTOR), (grids[1], "ended", "supervisor01"),
                              (grids[2], "ended", "supervisor01")]
    assert rows(bus, "SELECT COUNT(*) FROM human_tasks h JOIN campaign_grids g ON g.case_id = h.case_id"
                     " WHERE g.campaign_id = ? AND h.state = 'ready'", campaign) == [(0,)]
    review = rows(bus, "SELECT h.bpmn_id, h.candidate_group FROM human_tasks h JOIN campaigns c ON c.case_id ="
                       " h.case_id WHERE c.id = ? AND h.state = 'ready'", campaign)
    assert review == [("review_campaign_report", "shift_lead")]
    assert api.get(f"/campaigns/{campaign}/progress", LEAD).json["campaign"]["end_reason"] == REASON
    assert api.get(f"/campaigns/{campaign}/report", LEAD).json["campaign"]["ended_by"] == "supervisor01"
    again = error_of(api.post(f"/campaigns/{campaign}/end", LEAD, {"reason": REASON}), 409)
    assert again["fields"].keys() == {"campaign_id"}
    for case_id in _campaign_cases(bus, campaign):
        assert verify_case(bus.deps, case_id).verified, case_id


def test_the_progress_page_ends_a_campaign_and_shows_who_when_why(api: Api) -> None:
    campaign = start(api.bus, street_grids(api.bus, 2), topics=("C01",))["campaign_id"]
    url = f"/campaigns/{campaign}"
    assert 'id="end-campaign"' not in Browser(api, "auditor01").get(url).text  # readers see no button
    lead = Browser(api, LEAD)
    page = lead.get(url)
    assert 'id="end-campaign"' in page.text and "data-confirm=" in page.text
    assert 'id="campaign-ended-early"' not in page.text
    refused = lead.client.post(f"{url}/end", data={"csrf_token": lead.token, "reason": " "})
    assert refused.status_code == 422 and 'id="end-campaign-error"' in refused.text
    ended = lead.client.post(f"{url}/end", data={"csrf_token": lead.token, "reason": REASON})
    assert ended.status_code == 302 and ended.headers["Location"].endswith(url)
    page = lead.get(url)
    assert 'id="campaign-ended-early"' in page.text and REASON in page.text and LEAD in page.text
    assert 'id="end-campaign"' not in page.text
    report = lead.get(f"{url}/report")
    assert 'id="campaign-ended-early"' in report.text and REASON in report.text
    assert lead.client.post("/campaigns/999999/end", data={"csrf_token": lead.token,
                                                           "reason": REASON}).status_code == 404


def test_the_command_line_ends_a_campaign(city: str, api: Api) -> None:
    def gridcase(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", "--database-url", city, "campaign", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=300, check=False)

    campaign = str(start(api.bus, street_grids(api.bus, 1), topics=("C01",))["campaign_id"])
    refused = gridcase("end", campaign, "--reason", REASON, "--as", COLLECTOR)
    assert refused.returncode == 1 and "may not" in refused.stderr
    assert gridcase("end", campaign, "--reason", " ", "--as", LEAD).stderr.strip().endswith(
        "(nothing was ended)")
    ended = gridcase("end", campaign, "--reason", REASON, "--as", LEAD)
    assert ended.returncode == 0, ended.stderr
    status: dict[str, Any] = rows(api.bus, "SELECT state, ended_by FROM campaigns WHERE id = ?", int(campaign))[0]
    assert status == ("ended", LEAD)
    again = gridcase("end", campaign, "--reason", REASON, "--as", LEAD)
    assert again.returncode == 1 and "campaign_id: campaign" in again.stderr and "already ended" in again.stderr
    assert gridcase("end", "999999", "--reason", REASON, "--as", LEAD).returncode == 1
