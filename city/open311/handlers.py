"""The open311 package's command handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from typing import Any

from city.open311.commands import CreateApiKey, RevokeApiKey, SubmitServiceRequest
from city.open311.keys import create_api_key, revoke_api_key
from city.open311.submit import submit_service_request

HANDLERS: dict[type, Any] = {
    SubmitServiceRequest: submit_service_request,
    CreateApiKey: create_api_key,
    RevokeApiKey: revoke_api_key,
}
