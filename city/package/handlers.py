"""The commands of this package and their handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from city.package.commands import LoadCityPackage
from city.package.loader import load_city_package
from engine.domain.commands import Command
from engine.service.bus import Handler

PACKAGE_HANDLERS: dict[type[Command], Handler] = {
    LoadCityPackage: load_city_package,
}
