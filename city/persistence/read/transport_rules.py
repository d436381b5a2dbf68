"""Read query of the geofence rules as deployed (渣土车违规规则): the newest version of a process and its sources,
through the versions repository (the one module that reads ``process_versions``)."""

from __future__ import annotations

from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.versions import latest_version, version_sources


def newest_version_id(store: CaseStore, process_id: str) -> int | None:
    """The id of the process's newest version (one small query: a cache's staleness check), or None."""
    newest = latest_version(store, process_id)
    return None if newest is None else newest.id


def version_source_texts(store: CaseStore, version_id: int) -> dict[str, str] | None:
    """A version's sources (file name → text), or None when there is no such version."""
    found = version_sources(store, version_id)
    return None if found is None else found[4]
