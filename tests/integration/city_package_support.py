"""The city package tests' second city (Lakeside, America/Chicago: tests/fixtures/cities/lakeside) and how they
load a package as `gridcase city load DIR` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from city.package.commands import LoadCityPackage
from city.package.reader import read_package
from city.package.rules import deploy_files
from engine.service.bus import MessageBus

LAKESIDE = Path(__file__).resolve().parents[1] / "fixtures" / "cities" / "lakeside"
CHICAGO = ZoneInfo("America/Chicago")


def load_package(bus: MessageBus, folder: Path = LAKESIDE) -> dict[str, Any]:
    """Load the package in ``folder`` (Lakeside by default) as admin1; the change report."""
    package = read_package(folder)
    result: dict[str, Any] = bus.handle(LoadCityPackage(package, actor="admin1", source=str(folder),
                                                        deploy=deploy_files(package.rules)))
    return result
