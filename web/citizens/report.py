"""The report page 市民随手拍 (/citizen/): the page, its catalogue as JSON, the PWA's manifest and service worker,
and the three posts — ask for a code, confirm it, report — each sending exactly one command."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue

from city.citizens.commands import ConfirmPhone, ReportAsCitizen, RequestPhoneCode
from web.api import client_address
from web.api.auth import check_csrf
from web.citizens import errors, fields
from web.context import bus, deps, settings
from web.pages.catalog import subtype_groups
from web.pages.i18n import lang

bp = Blueprint("citizen", __name__, url_prefix="/citizen")
errors.install(bp)  # refusals in the page's language; a too-large post a JSON 413 naming photos

THEME = "#0f766e"
PHOTO_SIDE = 1600  # the browser resizes photos to at most this many pixels a side (JPEG)
ICONED = {f"{n:02d}" for n in range(1, 13)}  # major classes with their own picture (static/citizen/icons)


@bp.get("/")
def report_page() -> ResponseReturnValue:
    """The one-page report form (photo, place, what, description, phone); works without signing in."""
    return render_template("citizen/report.html", photo_side=PHOTO_SIDE, theme=THEME)


@bp.get("/api/catalogue")
def catalogue() -> ResponseReturnValue:
    """The catalogue the page picks from: major classes with a picture each and their subtypes' names."""
    english = lang() == "en"
    groups: list[dict[str, Any]] = [
        {"code": g["code"], "name": g["name"],
         "icon": url_for("static", filename=f"citizen/icons/{g['code'] if g['code'] in ICONED else 'generic'}.svg"),
         "subtypes": [{"code": s["code"], "name": (s["name_en"] if english and s["name_en"] else s["name_zh"]),
                       "name_zh": s["name_zh"], "name_en": s["name_en"]} for s in g["subtypes"]]}
        for g in subtype_groups(deps())]
    return jsonify({"groups": groups})


@bp.post("/api/code")
def request_code() -> ResponseReturnValue:
    """Send a code to the phone (RequestPhoneCode); answers how long it stays valid."""
    check_csrf()
    seconds = bus().handle(RequestPhoneCode(phone=fields.text("phone", required=True), address=client_address(),
                                            locale=lang()))
    return jsonify({"valid_seconds": seconds, "resend_after": 60})


@bp.post("/api/confirm")
def confirm_phone() -> ResponseReturnValue:
    """Check the code (ConfirmPhone); answers the ticket the report cites."""
    check_csrf()
    ticket = bus().handle(ConfirmPhone(phone=fields.text("phone", required=True),
                                       code=fields.text("code", required=True), address=client_address()))
    return jsonify({"ticket": ticket})


@bp.post("/api/reports")
def report() -> ResponseReturnValue:
    """The report itself (multipart: fields and up to 3 photos → ReportAsCitizen); answers the case number and the
    tracking link."""
    check_csrf()
    email = fields.text("email")
    done = bus().handle(ReportAsCitizen(
        ticket=fields.text("ticket", required=True), phone=fields.text("phone", required=True),
        subtype_code=fields.text("subtype_code", required=True), description=fields.text("description"),
        lon=fields.coordinate("lon", -180, 180), lat=fields.coordinate("lat", -90, 90), address=client_address(),
        photos=fields.photos(), updates=fields.text("updates") or "sms", email=email or None, locale=lang(),
        folder=str(settings().attachments_dir)))  # where the tracking page's photos are read from
    return jsonify({"case_no": done.case_no, "token": done.token,
                    "link": url_for("citizen_tracking.status_page", token=done.token)}), 201


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    """The PWA's manifest: installable, standalone, scoped to /citizen/."""
    icons = [{"src": url_for("static", filename=f"citizen/icon-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "any maskable"} for size in (192, 512)]
    body = {"name": "市民随手拍 · 数字城管", "short_name": "随手拍", "start_url": "/citizen/", "scope": "/citizen/",
            "display": "standalone", "background_color": "#ffffff", "theme_color": THEME, "lang": "zh-CN",
            "icons": icons}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """The service worker, served from /citizen/ so its scope is the page's (it caches the shell only)."""
    shell = [url_for("citizen.report_page"), url_for("static", filename="citizen/citizen.js"),
             url_for("static", filename="citizen/citizen.css"), url_for("static", filename="js/post-json.js"),
             url_for("static", filename="css/app.css"), url_for("static", filename="vendor/leaflet/leaflet.js"),
             url_for("static", filename="vendor/leaflet/leaflet.css"),
             url_for("static", filename="citizen/icon-192.png")]
    script = render_template("citizen/sw.js", shell=shell)
    return Response(script, mimetype="text/javascript",
                    headers={"Service-Worker-Allowed": "/citizen/", "Cache-Control": "no-cache"})
