"""Languages: Chinese first (the message ids are Chinese), English from ``web/translations/en``.

The locale comes from ``?lang=zh|en`` (remembered in the ``lang`` cookie), else the cookie, else the city
profile's locale (Chinese without one); times are shown in the profile's time zone.
``make`` compiles the catalogs; a missing or stale ``.mo`` is compiled here too, so a fresh clone works.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, get_locale

from city.package.profile import city_locale
from engine.domain.city_zone import DEFAULT_ZONE_NAME, city_zone

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
log = logging.getLogger(__name__)


def choose_locale() -> str:
    """The request's language: the ``lang`` parameter, the ``lang`` cookie, or the city's (Chinese)."""
    for value in (request.args.get(COOKIE), request.cookies.get(COOKIE)):
        if value in LANGUAGES:
            return value
    locale = city_locale()
    return locale if locale in LANGUAGES else DEFAULT


def lang() -> str:
    """The current page's language code (``zh`` or ``en``)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def compile_catalogs(folder: Path = TRANSLATIONS) -> None:
    """Compile each ``messages.po`` whose ``messages.mo`` is missing or older (a read-only tree is left as is)."""
    for po in folder.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with mo.open("wb") as target:
                write_mo(target, catalog)
        except OSError as exc:
            log.warning("cannot compile %s: %s", po, exc)


def init_i18n(app: Flask) -> None:
    """Set up Flask-Babel with the locale selector and remember a chosen ``?lang=`` in a cookie."""
    compile_catalogs()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE_NAME)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=choose_locale, timezone_selector=lambda: city_zone().key)

    @app.after_request
    def _remember(response: Any) -> Any:
        chosen = request.args.get(COOKIE)
        if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response
