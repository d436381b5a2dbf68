"""The citizens' commands: a phone number confirmed by a code, a report without an account, the rating of the
result and the 回访 it may open. The citizen page, Open311 (its own ``SubmitServiceRequest``) and the CLI send these;
each has one handler in ``city.citizens.handlers``."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.commands import Command

CITIZEN_ACTOR = "public:citizen"  # not a valid username: no account can be it


@dataclass(frozen=True)
class RequestPhoneCode(Command):
    """Send a 6-digit code to ``phone`` through the notification channel (SMS); throttled per phone and per client
    ``address``. Returns the seconds the code stays valid."""

    phone: str
    address: str
    locale: str = "zh"
    actor: str = CITIZEN_ACTOR


@dataclass(frozen=True)
class ConfirmPhone(Command):
    """Check the code last sent to ``phone`` (a few attempts, then a new code is needed); returns a ticket that
    reports cite for a while instead of the phone's code."""

    phone: str
    code: str
    address: str
    actor: str = CITIZEN_ACTOR


@dataclass(frozen=True)
class CitizenPhoto:
    """A photo sent with a report (already resized by the browser): its bytes and the name it had."""

    data: bytes
    filename: str = "photo.jpg"


@dataclass(frozen=True)
class ReportAsCitizen(Command):
    """A citizen's report (市民上报): the confirmed phone's ticket, what and where, photos, and how to be told
    (``updates``: sms, email with ``email``, or none). Throttled per phone and address. Starts a lifecycle case on
    channel ``citizen`` and returns its number and the tracking token (``CitizenReported``)."""

    ticket: str
    phone: str
    subtype_code: str
    description: str
    lon: float
    lat: float
    address: str
    photos: tuple[CitizenPhoto, ...] = ()
    updates: str = "sms"
    email: str | None = None
    locale: str = "zh"
    actor: str = CITIZEN_ACTOR
    folder: str | None = None  # where the photos are kept (the web's attachments folder); None: the setting's


@dataclass(frozen=True)
class CitizenReported:
    """What a citizen's (or an Open311 app's) report became: the case's number and the tracking token."""

    case_no: str
    token: str
    case_id: int = field(default=0)


@dataclass(frozen=True)
class RateResult(Command):
    """The citizen rates the closed case their token follows (满意 satisfied / 基本满意 basically_satisfied /
    不满意 dissatisfied), once per case; 不满意 starts a 回访 (callback) case for the seat operators. Returns the
    回访 case's number or None."""

    token: str
    rating: str
    address: str
    comment: str = ""
    actor: str = CITIZEN_ACTOR
