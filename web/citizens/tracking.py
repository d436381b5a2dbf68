"""The tracking page /t/<token> (no sign-in): the case's stage and timeline, its before/after photos and, once
closed, the citizen's rating (RateResult). Only the unguessable token opens it — never the case number; it shows
nothing personal (no phone, email, staff names or notes)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from city.citizens.commands import RateResult
from city.citizens.photo_metadata import without_metadata
from city.citizens.status import public_photo, status_of
from engine.domain.errors import GridcaseError
from engine.service.attachments import sniff
from web.api import client_address
from web.api.auth import check_csrf
from web.citizens import contact, fields
from web.citizens.errors import citizen_text
from web.context import bus, deps
from web.pages.i18n import lang

bp = Blueprint("citizen_tracking", __name__, url_prefix="/t")
bp.add_app_template_global(contact.citizen_contact, "citizen_contact")  # the 回访 task page's contact card

TOKEN_CHARS = 64  # tokens are 43 characters; a longer one is looked up as a token nobody holds
NOBODY = "-"  # never a token (token_urlsafe makes none this short)
PRIVATE = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex", "Cache-Control": "private, no-store"}
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


def _status(token: str) -> dict[str, Any] | None:
    """The token's status; the same single look-up whatever the token is (nothing answers earlier)."""
    return status_of(deps(), token if len(token) <= TOKEN_CHARS else NOBODY)


def _page(token: str, status: dict[str, Any] | None, problem: str | None = None, code: int = 200,
          retry_after: int | None = None) -> tuple[str, int, dict[str, str]]:
    """The status page (or the not-found page) with the private headers; ``retry_after`` for a 429."""
    if status is None:
        return render_template("citizen/not_found.html"), 404, PRIVATE
    headers = PRIVATE if retry_after is None else {**PRIVATE, "Retry-After": str(retry_after)}
    return render_template("citizen/status.html", token=token, s=status, problem=problem, english=lang() == "en",
                           ratings=RATINGS), code, headers


@bp.get("/<token>")
def status_page(token: str) -> ResponseReturnValue:
    """What became of the citizen's report."""
    return _page(token, _status(token))


@bp.get("/<token>/photos/<digest>")
def photo(token: str, digest: str) -> ResponseReturnValue:
    """A before/after photo of the token's case (404 for any other)."""
    folder = current_app.extensions["gridcase.settings"].attachments_dir  # where the app stores attachments
    path = public_photo(deps(), token if len(token) <= TOKEN_CHARS else NOBODY, digest[:64], folder)
    if path is None:
        abort(404)
    clean = without_metadata(path.read_bytes())  # no EXIF GPS, device or author on a public link
    if clean is None:
        abort(404)
    content_type = sniff(clean[:16]) or "application/octet-stream"  # only images are stored for them
    return Response(clean, mimetype=content_type, headers={**PRIVATE, "Cache-Control": "private, max-age=3600"})


@bp.post("/<token>/rating")
def rate(token: str) -> ResponseReturnValue:
    """The citizen's rating of the closed case (RateResult); the page again, with the refusal when refused."""
    check_csrf()
    try:
        bus().handle(RateResult(token=token[:TOKEN_CHARS + 1], rating=fields.text("rating", required=True),
                                address=client_address(), comment=fields.text("comment")))
    except GridcaseError as exc:
        status = _status(token)
        if status is None:
            abort(404)
        return _page(token, status, problem=citizen_text(exc), code=exc.http_status,
                     retry_after=getattr(exc, "retry_after", None))  # TooManyRequests: when to try again
    done: ResponseReturnValue = redirect(url_for("citizen_tracking.status_page", token=token), 303)
    return done
