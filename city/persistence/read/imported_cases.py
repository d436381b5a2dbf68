"""What the case page shows of a case imported open from a legacy system (``imported_cases``)."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore


def imported_summary(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """{legacy_no, step, history: {reported_at, …}, imported_at, imported_by} of an imported case, else None."""
    row = store._execute("SELECT legacy_no, step, history_json, imported_at, imported_by FROM imported_cases"
                         " WHERE case_id = ?", (case_id,)).fetchone()
    if row is None:
        return None
    moment = as_utc(row[3])
    return {"legacy_no": row[0], "step": row[1], "history": json.loads(row[2]),
            "imported_at": moment.isoformat() if moment else None, "imported_by": row[4]}
