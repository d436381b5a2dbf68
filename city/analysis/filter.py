"""What the analysis pages ask for: a filter from what a person picked, checked against the catalogue.

The filter and how its period is read (whole months from the rollup, edge days from the facts) live with the
queries, in ``city.persistence.read.analysis_plan`` and ``city.persistence.read.analysis``.
"""

from __future__ import annotations

from datetime import date

from city.persistence.read.analysis import grouped
from city.persistence.read.analysis_plan import AnalysisFilter
from engine.domain.errors import InvalidCommand
from engine.persistence.read import city
from engine.service.deps import Deps

__all__ = ["SOURCES", "AnalysisFilter", "grouped", "resolve"]

SOURCES = ("live", "history")


def resolve(deps: Deps, *, subtype: str | None = None, aspect: str | None = None, channel: str | None = None,
            source: str | None = None, department: str | None = None, since: date | None = None,
            until: date | None = None) -> AnalysisFilter:
    """A filter from what a person picked; an unknown subtype, aspect or source is refused naming the field."""
    if source is not None and source not in SOURCES:
        raise InvalidCommand(f"source is one of {', '.join(SOURCES)}", field="source")
    if since is not None and until is not None and since > until:
        raise InvalidCommand("until must not be before since", field="until")
    subtypes: tuple[str, ...] | None = None
    with deps.uow(read_only=True) as uow:
        if aspect is not None:
            codes = city.aspect_subtypes(uow.store, aspect)
            if not codes:
                raise InvalidCommand(f"no aspect {aspect}", field="aspect")
            subtypes = tuple(codes)
        if subtype is not None:
            if not city.subtype_exists(uow.store, subtype):
                raise InvalidCommand(f"no subtype {subtype}", field="subtype")
            subtypes = (subtype,) if subtypes is None or subtype in subtypes else ()
    return AnalysisFilter(subtypes=subtypes, channel=channel, source=source, department=department,
                          since=since, until=until)
