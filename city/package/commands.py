"""The city package's commands (handled by ``city.package.loader``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from city.package.format import CityPackage
from engine.domain.commands import Command


@dataclass(frozen=True)
class LoadCityPackage(Command):
    """Replace the whole city — profile, grids, streets, catalogue, departments, channels, users, duty windows and
    routing rules — with a read and checked package (``city.package.reader.read_package``), in one unit of work.

    ``deploy``: the files to deploy as the case lifecycle's new version when the package has rules (the lifecycle's
    BPMN and forms with the package's ``rules/*.dmn`` in place of the default ones); empty: no deploy.
    ``source``: where the package came from (a folder), kept in the result."""

    package: CityPackage
    actor: str = "admin"
    source: str = ""
    deploy: dict[str, str] = field(default_factory=dict)
