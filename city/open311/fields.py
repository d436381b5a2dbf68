"""The parameters of an Open311 ``POST requests`` as an app sends them (form text), each fault named by its
parameter; the key, the jurisdiction and the service need the database: ``city.open311.submit`` checks them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from city.intake.report import DESCRIPTION_CHARS
from city.open311.commands import SubmitServiceRequest
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import text_fault
from engine.domain.notifications import address_problem

NO_GEOCODING = "lat and long are required: this city does not geocode addresses"
REFUSED = "the service request has invalid parameters"
_DEGREES = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{1,20})?")  # ASCII digits only: no 1e400, no ٣٠, no 5,000 digits
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{2,19}")
_URL = re.compile(r"https?://[^\s]{1,1000}", re.IGNORECASE)
# parameter → most characters (the column's, or what an app's id may need)
TEXTS = {"description": DESCRIPTION_CHARS, "address_string": 500, "address_id": 200, "media_url": 1000,
         "email": 200, "phone": 20, "first_name": 50, "last_name": 50, "device_id": 200, "account_id": 200}
SERVICE_CODE_CHARS = 10
# Control characters but tab and line breaks (XML 1.0 cannot hold C0 ones: the .xml answer would differ from the
# .json one), the bidirectional overrides and isolates (they make staff screens show text in a false order), and
# the two noncharacters XML refuses.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
CONTROL_FAULT = "must not contain control characters (but tab and line breaks) or bidirectional overrides"


def _fault(value: Any, limit: int, *, required: bool = True) -> str | None:
    """``text_fault``, and no control character."""
    fault = text_fault(value, limit, required=required)
    if fault is None and isinstance(value, str) and _CONTROLS.search(value):
        return CONTROL_FAULT
    return fault


@dataclass(frozen=True)
class RequestFields:
    """The checked parameters: the place, the texts given (None when absent or blank)."""

    lat: float
    lon: float
    texts: dict[str, str | None]


def _degrees(value: Any, bound: float) -> float | str:
    """The number of degrees, or what is wrong with it."""
    if not isinstance(value, str) or not _DEGREES.fullmatch(value.strip()):
        return f"must be a decimal number of degrees from -{bound:g} to {bound:g}"
    number = float(value.strip())
    return number if -bound <= number <= bound else f"must be from -{bound:g} to {bound:g}"


def _text_problems(cmd: SubmitServiceRequest) -> tuple[dict[str, str | None], dict[str, str]]:
    texts: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for name, limit in TEXTS.items():
        value = getattr(cmd, name)
        fault = _fault(value, limit, required=False)
        if fault:
            problems[name] = fault
            continue
        texts[name] = value.strip() if isinstance(value, str) and value.strip() else None
    shapes = (("phone", _PHONE, "a phone number (digits, +, spaces)"), ("media_url", _URL, "an http(s) URL"))
    for name, pattern, what in shapes:
        given = texts.get(name)
        if given is not None and not pattern.fullmatch(given):
            problems[name] = f"must be {what}"
    email = texts.get("email")
    # The outbox's own check: an address it would refuse (x@localhost) failed every later update to the citizen.
    if email is not None and "email" not in problems and address_problem("email", email):
        problems["email"] = "must be an email address"
    return texts, problems


def service_code_of(cmd: SubmitServiceRequest) -> str:
    """The service code given (400 naming ``service_code`` when absent or not a code's text)."""
    code = cmd.service_code
    if not isinstance(code, str) or not code.strip():
        raise FieldsRejected({"service_code": "service_code is required"}, "service_code was not provided")
    fault = _fault(code, SERVICE_CODE_CHARS)
    if fault:
        raise FieldsRejected({"service_code": fault}, f"service_code {fault}")
    return code.strip()


def request_fields(cmd: SubmitServiceRequest) -> RequestFields:
    """The checked place and texts; FieldsRejected naming every parameter at fault (no geocoding: an address
    without lat and long is refused saying so)."""
    missing = [name for name in ("lat", "long") if getattr(cmd, name) is None or getattr(cmd, name) == ""]
    if missing:
        raise FieldsRejected({name: NO_GEOCODING for name in missing}, NO_GEOCODING)
    lat, lon = _degrees(cmd.lat, 90.0), _degrees(cmd.long, 180.0)
    texts, problems = _text_problems(cmd)
    if isinstance(lat, str):
        problems["lat"] = lat
    if isinstance(lon, str):
        problems["long"] = lon
    if problems:
        raise FieldsRejected(problems, REFUSED)
    assert isinstance(lat, float) and isinstance(lon, float)
    return RequestFields(lat, lon, texts)
