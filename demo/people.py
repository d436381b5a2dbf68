"""How the simulated people of the demo city act on their tasks: who, how soon, and what they decide."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Shares of the ten intake channels (DESIGN.md §1): patrols find most problems.
CHANNELS = {"patrol": 0.42, "video": 0.12, "hotline": 0.15, "wechat": 0.1, "census": 0.05, "public_opinion": 0.03,
            "petition": 0.02, "media": 0.02, "leadership": 0.01, "transfer": 0.08}


@dataclass(frozen=True)
class Behaviour:
    """Probabilities of the simulated people's choices."""

    found_on_site: float = 0.92  # 核实: the problem is there
    detection_is_real: float = 0.85  # 视频审核: the camera was right (false positives happen)
    duplicate: float = 0.03  # a report repeats an earlier one
    follows_filing_advice: float = 0.97
    overrides_dispatch: float = 0.05
    returns: float = 0.05  # 回退
    requests_extension: float = 0.05  # 延期
    requests_suspension: float = 0.02  # 挂账
    approves_request: float = 0.8
    late: float = 0.15  # disposes after the deadline
    passes_check: float = 0.88  # 核查


@dataclass(frozen=True)
class Action:
    """A task to complete at a moment: its form data (None: decided when it is due) and who acts."""

    task_id: str
    case_id: int
    bpmn_id: str
    actor: str
    claim: bool


def working_delay(rng: random.Random, low_hours: float, high_hours: float) -> float:
    """A delay in working hours."""
    return rng.uniform(low_hours, high_hours)


def disposal_moment(rng: random.Random, now: datetime, due_at: datetime | None, behaviour: Behaviour) -> datetime:
    """When the department reports back: mostly within the limit, sometimes late."""
    if due_at is None or due_at <= now:
        return now + timedelta(hours=rng.uniform(0.5, 8))
    if rng.random() < behaviour.late:
        return due_at + timedelta(hours=rng.uniform(0.5, 30))
    return now + (due_at - now) * rng.uniform(0.15, 0.95)


def decide(bpmn_id: str, data: dict[str, Any], rng: random.Random, behaviour: Behaviour,
           departments: list[str]) -> dict[str, Any]:
    """The form data a simulated person submits for a task, given the task's data."""
    chance = rng.random
    if bpmn_id in ("verify_report", "review_detection"):
        return _intake_check(bpmn_id, chance(), behaviour)
    if bpmn_id == "file_or_void":
        advice = data.get("advice") or "file"
        if chance() >= behaviour.follows_filing_advice and data["report"].get("in_coverage"):
            advice = "void" if advice == "file" else "file"
        reason = data.get("void_reason") or "invalid"
        return {"filing": {"decision": advice, "void_reason": reason if advice == "void" else None}}
    if bpmn_id == "confirm_dispatch":
        returned = data.get("returned") or {}
        if returned or chance() < behaviour.overrides_dispatch:
            others = [d for d in departments if d not in (data.get("disposal_unit"), returned.get("by"))]
            return {"dispatch": {"department": rng.choice(others), "reason": "按属地与职责调整派遣"}}
        return {"dispatch": {}}
    if bpmn_id == "dispose_problem":
        return {"disposal": _disposal(data, rng, behaviour)}
    if bpmn_id in REVIEWS:
        return _review(bpmn_id, chance() < behaviour.approves_request)
    if bpmn_id == "check_on_site":
        return {"check": {"passed": chance() < behaviour.passes_check, "note": "核查"}}
    if bpmn_id == "close_case":
        return {"closing": {"close_type": data.get("suggested_close_type") or "normal"}}
    return FIXED.get(bpmn_id, {"note": "已阅"})  # acknowledge_warning, supervise_overdue, supervise_escalation, …


# What a simulated person always submits for a task: 协办 co-handlers report what they did.
FIXED: dict[str, dict[str, Any]] = {"assist_disposal": {"assist": {"reply": "已配合处置"}}}


REVIEWS = {"review_extension": "extension_review", "review_suspension": "suspension_review",
           "review_return": "return_review"}


def _review(bpmn_id: str, approved: bool) -> dict[str, Any]:
    """The shift lead's 延期/挂账/回退 review; a refused return (回退) needs the reason the department hears."""
    if bpmn_id == "review_return":
        return {"return_review": {"approved": approved, "comment": "请继续处置"}}
    return {REVIEWS[bpmn_id]: {"approved": approved, "note": "审批"}}


def _intake_check(bpmn_id: str, roll: float, behaviour: Behaviour) -> dict[str, Any]:
    """核实 on site, or 视频审核 of a camera's snapshot."""
    if bpmn_id == "verify_report":
        return {"verification": {"found": roll < behaviour.found_on_site, "note": "现场核实"}}
    real = roll < behaviour.detection_is_real
    return {"detection_review": {"decision": "confirm" if real else "false_positive", "note": "对照抓拍图片"}}


def _disposal(data: dict[str, Any], rng: random.Random, behaviour: Behaviour) -> dict[str, Any]:
    first_round = not data["counters"]["reworks"] and not data["counters"]["extensions"]
    roll = rng.random()
    if first_round and roll < behaviour.returns and data["counters"]["returns"] < 2:
        return {"outcome": "return", "reason": "非本单位职责"}
    roll -= behaviour.returns
    if first_round and roll < behaviour.requests_extension:
        return {"outcome": "extension", "reason": "需协调施工", "extension_amount": data["limit_amount"]}
    roll -= behaviour.requests_extension
    if first_round and roll < behaviour.requests_suspension and not data["counters"]["suspensions"]:
        return {"outcome": "suspension", "reason": "季节性或工程性问题，需挂账"}
    return {"outcome": "disposed", "result": "已处置"}  # no photos: the simulated people upload none
