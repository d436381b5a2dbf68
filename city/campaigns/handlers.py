"""The campaigns commands' handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from city.campaigns.commands import (
    EndCampaign,
    RecordSweepCheck,
    ReportCampaignFinding,
    StartCampaign,
    UpdateWatchedHazard,
)
from city.campaigns.ending import end_campaign
from city.campaigns.findings import report_campaign_finding
from city.campaigns.recording import record_sweep_check, update_watched_hazard
from city.campaigns.start import start_campaign
from engine.domain.commands import Command
from engine.service.bus import Handler

CAMPAIGN_HANDLERS: dict[type[Command], Handler] = {
    StartCampaign: start_campaign,
    RecordSweepCheck: record_sweep_check,
    ReportCampaignFinding: report_campaign_finding,
    UpdateWatchedHazard: update_watched_hazard,
    EndCampaign: end_campaign,
}
