"""The Open311 area's commands: an app's service request (GeoReport v2 ``POST requests``) and the admins' api keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.commands import Command


@dataclass(frozen=True)
class SubmitServiceRequest(Command):
    """An Open311 app's ``POST requests``, its parameters as received (text, or None when absent): the key (403),
    the jurisdiction (404), the service code (404), lat and long (400), the texts; then a lifecycle case on channel
    ``open311`` and its ``citizen_reports`` row with a tracking token. Returns ``{case_no, token, service_name}``."""

    api_key: str | None
    service_code: str | None
    lat: str | None
    long: str | None
    jurisdiction_id: str | None = None
    description: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    media_url: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    locale: str = field(default="zh")


@dataclass(frozen=True)
class CreateApiKey(Command):
    """A new api key for an Open311 app (admins): the key is returned once, only its sha256 is kept.
    ``per_minute`` None: the setting ``GRIDCASE_OPEN311_KEY_PER_MINUTE``."""

    name: str
    contact: str
    per_minute: int | None
    actor: str


@dataclass(frozen=True)
class RevokeApiKey(Command):
    """Revoke a key (admins): its app's requests are refused (403) from now on; 404 for an unknown id."""

    key_id: int
    actor: str
