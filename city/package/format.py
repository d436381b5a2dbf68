"""The city package: one folder holding everything a city is, read by ``city.package.reader`` and written by
``city.package.export`` (the format is described in docs/city.md).

::

    city.json          the profile: name, time_zone, locale, calendar, duty_windows, and where the grids are
    districts.*        district boundaries (optional: else the union of their responsibility grids)
    resp_grids.*       responsibility grids (责任网格), or dissolved from the unit grids
    unit_grids.*       unit grids (单元网格); each grid file GeoJSON, Shapefile or GeoPackage, in any CRS
    streets.json       streets and towns (街道/乡镇): district, street office department, responsibility grids
    categories.json    aspects and subtypes (with national codes where they exist)
    departments.json   districts' names and departments with their levels
    channels.json      the channels reports arrive by
    users.json         the people (roles, departments, districts; initial passwords)
    duty_calendar.json duty windows by season (optional; docs/duty-windows.md)
    calendar/NAME.json the holiday table the profile names (optional: else config/calendar/NAME.json)
    rules/*.dmn        the city's routing rules (optional), deployed with the case lifecycle
    components.*       the component registry (部件普查, optional): points or CSV, each with its owner
    campaign_topics.json  census and hazard topics with their checklists (专项普查专题, optional)
    emergency_defaults.json  what an emergency declaration starts from (optional; docs/emergency.md)
    transport.json     the departments supervising construction-waste transport (渣土监管, optional;
                       docs/transport.md)
    assessment.json    the departments managing the assessments (考评: whose members read rankings and reports,
                       optional; docs/assessment.md)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from city.catalog.loading import GridRows

PROFILE_FILE = "city.json"
STREETS_FILE = "streets.json"
CHANNELS_FILE = "channels.json"
DUTY_FILE = "duty_calendar.json"
RULES_DIR = "rules"
CALENDAR_DIR = "calendar"
GRID_KINDS = ("districts", "resp_grids", "unit_grids")
# what a grid entry of city.json may name: the file and the properties gridcase reads, under the file's own names
GRID_KEYS = frozenset({"file", "code_field", "name_field", "district_field", "parent_field", "dissolve_from_units",
                       "repair"})
PROFILE_KEYS = frozenset({"name", "time_zone", "locale", "calendar", "duty_windows", "rules", "components",
                          *GRID_KINDS})
# a components entry: the file and its own names of what the registry reads (city/routing/points.py)
COMPONENT_KEYS = frozenset({"file", "id_field", "class_field", "owner_field", "state_field", "lon_field", "lat_field",
                            "crs"})


class PackageError(ValueError):
    """A city package that cannot be loaded; the message names the file, the item or line, and the fix."""


@dataclass(frozen=True)
class Profile:
    """The city's profile (``city_profiles``)."""

    name: str
    time_zone: str
    locale: str
    calendar: str

    def as_row(self) -> dict[str, str]:
        """The columns of ``city_profiles`` this profile sets."""
        return {"name": self.name, "time_zone": self.time_zone, "locale": self.locale, "calendar": self.calendar}


@dataclass(frozen=True)
class CityPackage:
    """A read and checked city package, ready to load in one unit of work."""

    profile: Profile
    grids: GridRows
    streets: tuple[dict[str, Any], ...]  # code, name, district, department, resp_grids
    aspects: tuple[dict[str, Any], ...]
    subtypes: tuple[dict[str, Any], ...]
    departments: tuple[dict[str, Any], ...]
    users: tuple[dict[str, Any], ...]  # each with its ``password`` (None: keeps the stored one)
    channels: tuple[dict[str, Any], ...]
    duty_windows: str | None = None  # the duty calendar file's text
    rules: dict[str, str] = field(default_factory=dict)  # rules/NAME.dmn → text
    components: tuple[dict[str, Any], ...] | None = None  # the registry's rows (None: the package names none)
    components_file: str = ""
    extras: tuple[tuple[str, str, str], ...] = ()  # (kind, code, JSON): what no table keeps (package_extras)
    calendar_text: str = ""  # the profile's holiday table (calendar/NAME.json, else config/calendar/NAME.json)
    campaign_topics: tuple[dict[str, Any], ...] | None = None  # campaign_topics.json's topics (None: no file)

    def grid_streets(self) -> dict[str, str | None]:
        """Responsibility grid → its street (None for a grid no street names)."""
        named = {grid: s["code"] for s in self.streets for grid in s["resp_grids"]}
        return {code: named.get(code) for code, *_ in self.grids.resp_grids}
