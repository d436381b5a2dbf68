"""The Open311 settings are checked when the app mounts the Open311 blueprint: a bad GRIDCASE_OPEN311_* value stops
the start naming the variable, where it used to make every Open311 call a 500."""

from __future__ import annotations

import pytest
from flask import Flask

from web.open311 import routes


@pytest.mark.parametrize("name", ["GRIDCASE_OPEN311_READS_PER_MINUTE", "GRIDCASE_OPEN311_KEY_PER_MINUTE"])
def test_a_bad_setting_stops_the_start_naming_it(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, "120/min")
    with pytest.raises(ValueError, match=name):
        Flask(__name__).register_blueprint(routes.bp)


def test_good_settings_mount(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_OPEN311_READS_PER_MINUTE", "30")
    app = Flask(__name__)
    app.register_blueprint(routes.bp)
    assert "open311" in app.blueprints
