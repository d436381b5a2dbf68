"""A city's own export read as history: a column-mapping file (docs/history.md) and locating points on the grids.

The mapping renames the export's columns to gridcase's, translates values (the city's category names to subtype
codes, its agency names to department codes, …) and reads its local times; it is applied to each row before the
importer's own checks, whose messages then name the export's column. A row with ``lon``/``lat`` and no grids
gets them from the loaded city (the live intake's ``CityLocator.locate``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from city.grids.locator import CityLocator
from city.history.importer import ALL_COLUMNS, REQUIRED, TIMES, HistoryFileError, RowError
from engine.service.bus import MessageBus

KEYS = ("columns", "values", "datetime_format", "time_zone")
DEFAULT = "default"  # a value map's entry for any value it does not list
GRIDS = ("unit_grid", "resp_grid", "district")


@dataclass(frozen=True)
class Mapping:
    """gridcase column → the export's column; per gridcase column, export value → gridcase value; local times."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    datetime_format: str | None = None
    time_zone: ZoneInfo | None = None


def _strings(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise HistoryFileError(f"mapping: {where} must be an object of texts")
    return dict(value)


def load_mapping(path: Path) -> Mapping:
    """The mapping file at ``path``; ``HistoryFileError`` naming the key or column that is wrong."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HistoryFileError(f"mapping {path}: {exc}") from None
    if not isinstance(data, dict):
        raise HistoryFileError("mapping: a JSON object is expected")
    if unknown := [key for key in data if key not in KEYS]:
        raise HistoryFileError(f"mapping: unknown key(s) {', '.join(unknown)} (keys: {', '.join(KEYS)})")
    columns = _strings("columns", data.get("columns", {}))
    if unknown := [name for name in columns if name not in ALL_COLUMNS]:
        raise HistoryFileError(f"mapping: columns: unknown column(s) {', '.join(unknown)}"
                               f" (columns: {', '.join(ALL_COLUMNS)})")
    if missing := [name for name in REQUIRED if name not in columns]:
        raise HistoryFileError(f"mapping: columns: missing column(s) {', '.join(missing)}")
    values = data.get("values", {})
    if not isinstance(values, dict):
        raise HistoryFileError("mapping: values must be an object")
    if unmapped := [name for name in values if name not in columns]:
        raise HistoryFileError(f"mapping: values: column(s) {', '.join(unmapped)} not in columns")
    formats = data.get("datetime_format")
    if formats is not None and not isinstance(formats, str):
        raise HistoryFileError("mapping: datetime_format must be a text (strptime, e.g. %m/%d/%Y %I:%M:%S %p)")
    return Mapping(columns, {name: _strings(f"values.{name}", table) for name, table in values.items()},
                   formats, _zone(data.get("time_zone")))


def _local(name: str, text: str, naive: datetime, zone: ZoneInfo) -> datetime:
    """``naive`` in ``zone``; a wall time the clock change skips or repeats is a ``RowError`` (which instant it
    means cannot be known: the export should give its UTC offset)."""
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:  # before the offsets: a gap's
        raise RowError(f"{name}: {text!r} does not exist in {zone.key} (the clock goes forward): give the UTC offset")
    if early.utcoffset() != late.utcoffset():  # folds differ too
        raise RowError(f"{name}: {text!r} happens twice in {zone.key} (the clock goes back): give the UTC offset")
    return early


def _zone(name: Any) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise HistoryFileError(f"mapping: time_zone: unknown time zone {name!r}") from None


class RowPreparer:
    """Turns a CSV row (by the file's header) into gridcase's columns: the mapping (if any), then locating."""

    def __init__(self, mapping: Mapping | None, locator: CityLocator | None) -> None:
        self.mapping = mapping
        self.locator = locator  # None: no locating

    def check_header(self, header: list[str]) -> None:
        """Every mapped column must be in the file's header; ``HistoryFileError`` names the missing ones."""
        assert self.mapping is not None
        mapped = list(dict.fromkeys(self.mapping.columns.values()))
        if missing := [c for c in mapped if c not in header]:
            raise HistoryFileError(f"header: missing mapped column(s) {', '.join(missing)}")
        if twice := [c for c in mapped if header.count(c) > 1]:
            raise HistoryFileError(f"header: mapped column(s) {', '.join(twice)} appear more than once")

    def __call__(self, row: dict[str, str]) -> dict[str, str]:
        """The row in gridcase's columns; ``RowError`` names the column."""
        if self.mapping is not None:
            row = {name: self._value(name, row[column]) for name, column in self.mapping.columns.items()}
        if self.locator is not None and row.get("lon") and row.get("lat") and not any(row.get(g) for g in GRIDS):
            row = {**row, **self._place(row["lon"], row["lat"])}
        return row

    def explain(self, message: str) -> str:
        """A check's message with the export's column name beside gridcase's (``Opened (reported_at): …``)."""
        name, colon, rest = message.partition(": ")
        names = name.split(", ")
        if self.mapping is None or not colon or not all(part in self.mapping.columns for part in names):
            return message
        return f"{', '.join(self.mapping.columns[part] for part in names)} ({name}): {rest}"

    def _value(self, name: str, text: str) -> str:
        assert self.mapping is not None
        text = text.strip()
        table = self.mapping.values.get(name)
        if text and table is not None:
            if text not in table and DEFAULT not in table:
                raise RowError(f"{name}: {text!r} is not in the mapping's values")
            text = table.get(text, table.get(DEFAULT, ""))
        if text and (name in TIMES or name == "step_due_at"):
            text = self._time(name, text)
        return text

    def _time(self, name: str, text: str) -> str:
        assert self.mapping is not None
        fmt, zone = self.mapping.datetime_format, self.mapping.time_zone
        try:
            moment = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
        except ValueError:
            raise RowError(f"{name}: {text!r} does not match {fmt or 'ISO 8601'}") from None
        if moment.tzinfo is None and zone is not None:
            moment = _local(name, text, moment, zone)
        return moment.astimezone(UTC).isoformat() if moment.tzinfo is not None else moment.isoformat()

    def _place(self, lon: str, lat: str) -> dict[str, str]:
        assert self.locator is not None
        try:
            point = float(lon), float(lat)
        except ValueError:
            return {}  # the importer's own check names the column
        if self.locator.index() is None:
            return {}  # no city loaded: nothing to locate on (the grids stay null)
        found = self.locator.locate(*point)
        if found is None:
            raise RowError(f"lon, lat: the point ({lon}, {lat}) is outside every grid")
        return found


def preparer(bus: MessageBus, mapping: Mapping | None) -> RowPreparer:
    """The row preparer of an import: ``mapping`` (or none) and the stored city's grids, read on the first row to
    locate (the index is built then, not for a file whose rows all name their grids)."""
    return RowPreparer(mapping, CityLocator(bus.deps.uow, clock=bus.deps.clock))
