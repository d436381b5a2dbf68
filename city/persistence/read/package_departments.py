"""The departments a city package's settings name for a line of work (``transport.json``'s
``supervising_departments``, ``assessment.json``'s ``managing_departments``): only their members, of all department
members, read that line's pages and API."""

from __future__ import annotations

import json

from engine.persistence.read.city_package import package_extra
from engine.persistence.repositories.cases import CaseStore


def package_departments(store: CaseStore, settings: tuple[str, str], key: str) -> frozenset[str]:
    """The department codes under ``key`` in the package's settings (``settings``: their (kind, code) in
    package_extras); none when the package has no such settings or names none."""
    found = package_extra(store, *settings)
    codes = json.loads(found).get(key, []) if found else []
    return frozenset(str(code) for code in codes)
