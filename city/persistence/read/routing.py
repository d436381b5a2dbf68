"""Read queries of routing's coverage check: what the responsibility rules suggested at each dispatch (派遣)."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.repositories.cases import CaseStore


def dispatch_rounds(store: CaseStore, external_prefix: str) -> list[tuple[int, dict[str, Any]]]:
    """(case id, the data of its 派遣 task: the rules' suggestion, the report, the dispatcher's choice once made)
    for every dispatch round of the cases whose external id starts with ``external_prefix``, oldest first."""
    if "%" in external_prefix or "_" in external_prefix:
        raise ValueError(f"a case prefix is plain text, not a LIKE pattern: {external_prefix!r}")
    rows = store._execute(
        "SELECT t.case_id, d.data FROM workflow_tasks t JOIN cases c ON c.id = t.case_id"
        " JOIN task_data d ON d.case_id = t.case_id AND d.hash = t.data_hash"
        " WHERE c.external_id LIKE ? AND t.spec_name = 'confirm_dispatch' ORDER BY t.case_id, t.last_state_change",
        (external_prefix + "%",)).fetchall()
    return [(int(r[0]), json.loads(r[1])) for r in rows]


def in_service_components(store: CaseStore) -> list[tuple[str, str, float, float]]:
    """Every in-service component as (id, class, lon, lat), in id order (the demo's simulated reporters)."""
    rows = store._execute("SELECT id, subtype_code, lon, lat FROM components WHERE state IN ('in_use', 'damaged')"
                          " ORDER BY id").fetchall()
    return [(r[0], r[1], float(r[2]), float(r[3])) for r in rows]


def in_service_owners(store: CaseStore) -> set[str]:
    """The owners of the in-service components: the departments the registry can route a 部件 report to."""
    return {r[0] for r in store._execute(
        "SELECT DISTINCT owner_code FROM components WHERE state IN ('in_use', 'damaged')").fetchall()}
