"""The map's light names (考评地图图例) follow ``standings.LIGHTS``' floors, in the page's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from city.assessment import standings
from web.pages.assessment import light_names

WEB = Path(__file__).resolve().parents[2] / "web"


def _names(locale: str) -> dict[str, str]:
    app = Flask(__name__, root_path=str(WEB))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(WEB / "translations")
    Babel(app, locale_selector=lambda: locale)
    with app.test_request_context():
        return light_names()


def test_light_names_carry_the_floors_in_either_language() -> None:
    assert _names("zh") == {"green": "优（≥90）", "yellow": "良（≥80）", "orange": "中（≥60）", "red": "差（<60）",
                            "grey": "未检查"}
    assert _names("en")["red"] == "Poor (<60)"


def test_light_names_follow_changed_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(standings, "LIGHTS", ((95.0, "green"), (85.0, "yellow"), (70.5, "orange")))
    assert _names("zh") == {"green": "优（≥95）", "yellow": "良（≥85）", "orange": "中（≥70.5）", "red": "差（<70.5）",
                            "grey": "未检查"}
