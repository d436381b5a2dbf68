"""A citizen's report (市民上报, ``ReportAsCitizen``): the confirmed phone's ticket, the throttles, the photos, and
the lifecycle case on channel ``citizen`` — its photos, tracking token and followed stage written in the case's
first transaction; the citizen is told at once ("已受理" with the tracking link)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from city.citizens import messages
from city.citizens.commands import CITIZEN_ACTOR, CitizenPhoto, CitizenReported, ReportAsCitizen
from city.citizens.confirmation import check_locale, client_address, throttle
from city.citizens.phone import normalise_phone, throttle_key, ticket_hash
from city.citizens.settings import CitizenSettings, citizen_settings
from city.citizens.tracking import new_token, track_report
from city.commands import ReportProblem
from city.intake.report import report_problem
from city.persistence.repositories import citizen_phones
from city.persistence.repositories.citizen_reports import PublicReportRow
from city.public.stage import RECEIVED, stage_label
from engine.domain import events as ev
from engine.domain import notifications as n
from engine.domain.errors import InvalidCommand
from engine.domain.input_limits import text_problem
from engine.domain.views import StepRecord
from engine.persistence.uow import UnitOfWork
from engine.service.attachments import record_attachment, sniff
from engine.service.bus import HandlerContext

CHANNEL = "citizen"
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 3 * 1024 * 1024  # after the browser resized it; 3 of them fit the default request limit
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
UPDATES = ("sms", "email", "none")
TICKET_CHARS = 64


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo's bytes with what they were found to be."""

    data: bytes
    digest: str
    filename: str
    content_type: str


def _photo(index: int, photo: object) -> CheckedPhoto:
    field = f"photos.{index}"
    if not isinstance(photo, CitizenPhoto) or not isinstance(photo.data, bytes) or not photo.data:
        raise InvalidCommand("a photo (JPEG, PNG or WebP) is required", field=field)
    if len(photo.data) > MAX_PHOTO_BYTES:
        raise InvalidCommand(f"a photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB", field=field)
    content_type = sniff(photo.data)
    if content_type not in PHOTO_TYPES:
        raise InvalidCommand("only JPEG, PNG or WebP photos are accepted", field=field)
    name = photo.filename if isinstance(photo.filename, str) and text_problem(photo.filename) is None else ""
    name = Path(name.replace("\\", "/")).name[:200] or "photo"
    return CheckedPhoto(photo.data, hashlib.sha256(photo.data).hexdigest(), name, content_type)


def check_photos(photos: object) -> list[CheckedPhoto]:
    """The photos checked by their bytes (0–3, each ≤ 3 MB, JPEG/PNG/WebP); the same bytes twice count once."""
    if not isinstance(photos, tuple | list) or len(photos) > MAX_PHOTOS:
        raise InvalidCommand(f"at most {MAX_PHOTOS} photos", field="photos")
    checked: dict[str, CheckedPhoto] = {}
    for index, photo in enumerate(photos):
        found = _photo(index, photo)
        checked.setdefault(found.digest, found)
    return list(checked.values())


def check_contact(updates: object, email: object) -> tuple[str, str | None]:
    """(updates, email): how the citizen wants to be told; an email only with updates 'email'."""
    if updates not in UPDATES:
        raise InvalidCommand("updates must be one of: sms, email, none", field="updates")
    if updates != "email":
        return str(updates), None
    if not isinstance(email, str) or n.address_problem("email", email.strip()) is not None:
        raise InvalidCommand("a valid email address (name@domain) is required for updates by email", field="email")
    return "email", email.strip()


def check_point(lon: object, lat: object) -> None:
    """Numbers a float can hold (a 5,000-digit integer cannot: the report's own check would overflow on it)."""
    for name, value, bound in (("lon", lon, 180), ("lat", lat, 90)):
        if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > bound:
            raise InvalidCommand(f"must be a number from -{bound} to {bound}", field=name)


def _check_ticket(uow: UnitOfWork, phone: str, ticket: str, ctx: HandlerContext) -> None:
    if not citizen_phones.ticket_valid(uow.store, phone, ticket_hash(ticket), ctx.deps.clock.now()):
        raise InvalidCommand("the phone confirmation is missing or has expired: confirm the phone again",
                             field="ticket")


def report_as_citizen(cmd: ReportAsCitizen, ctx: HandlerContext,
                      settings: CitizenSettings | None = None) -> CitizenReported:
    """Check everything, then start the case and write the citizen's rows in its transaction (see the module)."""
    settings = settings or citizen_settings()
    phone, address, locale = normalise_phone(cmd.phone), client_address(cmd.address), check_locale(cmd.locale)
    if not isinstance(cmd.ticket, str) or not 0 < len(cmd.ticket) <= TICKET_CHARS or not cmd.ticket.isascii():
        raise InvalidCommand("the phone confirmation's ticket is required", field="ticket")
    updates, email = check_contact(cmd.updates, cmd.email)
    check_point(cmd.lon, cmd.lat)
    photos = check_photos(cmd.photos)
    with ctx.deps.uow(read_only=True) as uow:  # a bad ticket is refused before the case's step is run
        _check_ticket(uow, phone, cmd.ticket, ctx)
    token = new_token()
    folder = Path(cmd.folder) if cmd.folder else settings.attachments_dir

    def then(uow: UnitOfWork, case_id: int, case_no: str | None) -> None:
        _check_ticket(uow, phone, cmd.ticket, ctx)
        throttle(uow.store, "citizen_phone_report", phone, settings.phone_report, ctx,
                 what="reports from this phone", field="phone")
        throttle(uow.store, "citizen_address_report", throttle_key(address), settings.address_report, ctx,
                 what="reports from this address", field="address")
        now = ctx.deps.clock.now()
        case = uow.store.lock_case(case_id)
        for photo in photos:
            record = StepRecord(ev.ATTACHMENT_ADDED, data={"sha256": photo.digest, "filename": photo.filename,
                                                           "content_type": photo.content_type,
                                                           "size": len(photo.data)})
            record_attachment(uow, case, folder, photo.data, record, CITIZEN_ACTOR, now)
            case = uow.store.lock_case(case_id)  # its chain head moved
        row = PublicReportRow(token=token, case_id=case_id, origin="citizen", phone=phone, email=email,
                              updates=updates, locale=locale, extra={"photos": [p.digest for p in photos]})
        track_report(uow, row, now)
        _tell_received(uow, settings, row, case_no or "", now)

    report = ReportProblem(cmd.subtype_code, cmd.description, cmd.lon, cmd.lat, CHANNEL, CITIZEN_ACTOR,
                           reporter=CITIZEN_ACTOR)
    started = report_problem(report, ctx, system=True, then=then)
    return CitizenReported(started.case_no or "", token, started.case_id)


def _tell_received(uow: UnitOfWork, settings: CitizenSettings, row: PublicReportRow, case_no: str,
                   now: datetime) -> None:
    to = messages.target(settings, row.updates, row.phone, row.email)
    if to is None:
        return
    data = {"case_no": case_no, "stage": stage_label(RECEIVED, row.locale), "link": settings.link(row.token),
            "message": messages.RECEIVED_TEXT[row.locale]}
    messages.tell(uow, messages.UPDATE_KIND, to, data, locale=row.locale, now=now, case_id=row.case_id,
                  dedupe_key=f"citizen_update:{row.case_id}:{RECEIVED}")
