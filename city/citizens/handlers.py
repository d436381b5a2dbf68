"""The citizens package's command handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from typing import Any

from city.citizens.commands import ConfirmPhone, RateResult, ReportAsCitizen, RequestPhoneCode
from city.citizens.confirmation import confirm_phone, request_phone_code
from city.citizens.rating import rate_result
from city.citizens.reporting import report_as_citizen

HANDLERS: dict[type, Any] = {
    RequestPhoneCode: request_phone_code,
    ConfirmPhone: confirm_phone,
    ReportAsCitizen: report_as_citizen,
    RateResult: rate_result,
}
