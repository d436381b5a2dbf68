"""What a step did to a case's data, as audit records: the per-field change and the handbook facts.

The lifecycle keeps its facts in well-known fields (``due_at``, ``counters``, ``evaluation`` …, see
``engine.domain.summary``); a change of those is also recorded as the fact auditors ask about:
deadline set or moved, extension granted, case suspended or resumed (挂账/恢复), closed (结案) or voided.
"""

from __future__ import annotations

from typing import Any

from engine.domain import events as ev
from engine.domain.views import StepRecord

_MISSING = None  # a field that did not exist reads as null, the same as JSON would show it


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted paths (``report.subtype``); lists and scalars are leaves."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def data_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{path: [before, after]}`` for every dotted path whose value differs (JSON-normalised data)."""
    old, new = flatten(before), flatten(after)
    return {path: [old.get(path, _MISSING), new.get(path, _MISSING)]
            for path in sorted(old.keys() | new.keys()) if old.get(path, _MISSING) != new.get(path, _MISSING)}


def _counter(data: dict[str, Any], name: str) -> int:
    counters = data.get("counters")
    value = counters.get(name) if isinstance(counters, dict) else None
    return value if isinstance(value, int) else 0


def _evaluation(data: dict[str, Any]) -> dict[str, Any]:
    value = data.get("evaluation")
    return value if isinstance(value, dict) else {}


def fact_records(before: dict[str, Any], after: dict[str, Any]) -> list[StepRecord]:
    """The audit records of one step's data change: ``data_changed`` and the facts it implies."""
    changes = data_changes(before, after)
    if not changes:
        return []
    records = [StepRecord(ev.DATA_CHANGED, data={"changes": changes})]
    if _counter(after, "extensions") > _counter(before, "extensions"):
        records.append(StepRecord(ev.EXTENSION_GRANTED, data={"due_at": after.get("due_at")}))
    if _counter(after, "suspensions") > _counter(before, "suspensions"):
        records.append(StepRecord(ev.CASE_SUSPENDED, data={"at": after.get("suspended_at")}))
    resumed = after.get("suspensions"), before.get("suspensions")
    if isinstance(resumed[0], list) and len(resumed[0]) > len(resumed[1] if isinstance(resumed[1], list) else []):
        records.append(StepRecord(ev.CASE_RESUMED, data={"at": resumed[0][-1][-1] if resumed[0][-1] else None}))
    if after.get("due_at") != before.get("due_at") and after.get("due_at") is not None:
        if before.get("due_at") is None:
            records.append(StepRecord(ev.DEADLINE_SET, data={"after": after["due_at"]}))
        else:
            records.append(StepRecord(ev.DEADLINE_MOVED, data={"before": before["due_at"], "after": after["due_at"]}))
    result, was = _evaluation(after).get("result"), _evaluation(before).get("result")
    if result != was and result == "closed":
        evaluation = _evaluation(after)
        records.append(StepRecord(ev.CASE_CLOSED, data={"close_type": evaluation.get("close_type"),
                                                        "on_time": evaluation.get("on_time")}))
    elif result != was and result == "voided":
        records.append(StepRecord(ev.CASE_VOIDED, data={"reason": _evaluation(after).get("void_reason")}))
    return records
