"""The geofence rules (渣土车违规判定): the decision ``gps_violation`` (rules/gps_violation.dmn, deployed with the
``transport_alert`` process) evaluated on a vehicle's checkpoint facts (city/transport/facts.py).

The table's hit policy is COLLECT: every matching rule is a hit, its ``kind`` naming the episode it is about; the
alert key — vehicle, kind, episode start — makes every checkpoint of one episode the same alert, so an off-route
drive seen over ten batches raises one alert and at most one case.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dmn
from city import deployed_decisions
from city.transport.facts import KINDS, Checkpoint
from dmn.model import Decision
from engine.domain.decisions import load_model
from engine.persistence.repositories.cases import CaseStore

log = logging.getLogger(__name__)

DECISION = "gps_violation"
PROCESS = "transport_alert"
DEFAULT_RULES = Path(__file__).resolve().parents[2] / "rules" / "gps_violation.dmn"
SEVERITIES = ("low", "medium", "high")  # what the review rules (gps_alert_review.dmn) and the pages know
DEFAULT_SEVERITY = "medium"
RULE_ID_CHARS, SUBTYPE_CHARS = 100, 20  # gps_alerts.rule_id, gps_alerts.subtype_code
CPU_SECONDS = 1.0  # one checkpoint's evaluation (~0.1 ms as shipped): a rule that loops must not stall the ingest


@dataclass(frozen=True)
class Hit:
    """A rule that matched a checkpoint: the violation (``kind``), the rule's id (auditors read it), whether it
    opens a case and with which subtype, its severity, and the episode it belongs to (``alert_key``,
    ``started_at``)."""

    kind: str
    rule_id: str
    open_case: bool
    subtype: str | None
    severity: str
    alert_key: str
    started_at: datetime
    checkpoint: Checkpoint


def alert_key(vehicle_id: int, kind: str, started_at: datetime) -> str:
    """The key of one violation: vehicle, kind and the episode's start (ISO 8601, UTC)."""
    return f"{vehicle_id}:{kind}:{started_at.astimezone(UTC).isoformat()}"


class ViolationRules:
    """A loaded ``gps_violation`` decision, ready to evaluate checkpoints."""

    def __init__(self, model: dmn.Model) -> None:
        self.model = model

    @classmethod
    def from_dmn(cls, text: str) -> ViolationRules:
        """The rules of a DMN text; ValueError when it is not DMN or has no ``gps_violation`` decision."""
        try:
            model = load_model(text)
            model.find(DECISION, Decision)
        except ValueError as exc:  # DmnError: unreadable, or no such decision
            raise ValueError(f"gps violation rules: {exc}") from None
        return cls(model)

    @classmethod
    def shipped(cls) -> ViolationRules:
        """The rules as shipped in rules/gps_violation.dmn (tests, and the bench before anything is deployed)."""
        return cls.from_dmn(DEFAULT_RULES.read_text("utf-8"))

    def hits(self, vehicle_id: int, checkpoint: Checkpoint) -> list[Hit]:
        """The rules' hits on a checkpoint, in rule order, one per kind (the first rule of a kind keys it). A hit of
        an unknown kind, or of a kind with no episode open at the checkpoint, has nothing to key it: it is left
        out with a warning naming the rule. Outputs an alert cannot keep (an edited table) never fail the batch:
        they are logged and the hit kept, clamped — a severity not in ``SEVERITIES`` as ``DEFAULT_SEVERITY``, a rule
        id cut to ``RULE_ID_CHARS``, a subtype that is no code (blank, past ``SUBTYPE_CHARS``, not printable) as
        none (the alert then opens no lifecycle case: the city has no such subtype)."""
        found: list[Hit] = []
        for rule_id, output in self._matches(checkpoint):
            kind = str(output.get("kind") or "")
            started_at = checkpoint.episodes.get(kind) if kind in KINDS else None
            if started_at is None:
                log.warning("gps_violation rule %s gave kind %r with no episode of that kind open at %s: skipped",
                            rule_id, kind, checkpoint.at.isoformat())
                continue
            key = alert_key(vehicle_id, kind, started_at)
            if any(hit.alert_key == key for hit in found):
                continue
            found.append(Hit(kind, _rule_id(rule_id), output.get("open_case") is True,
                             _subtype(rule_id, output.get("subtype")), _severity(rule_id, output.get("severity")),
                             key, started_at, checkpoint))
        return found

    def _matches(self, checkpoint: Checkpoint) -> list[tuple[str, dict[str, Any]]]:
        """(rule id, outputs) of each matched rule. A rule whose outputs could not be evaluated is logged and the
        others kept: the positions are recorded and the facts move on whatever a rule does."""
        result = self.model.evaluate(DECISION, {}, context=checkpoint.facts, cpu_seconds=CPU_SECONDS)
        if result.messages:
            log.warning("gps_violation at %s: %s", checkpoint.at.isoformat(), "; ".join(result.messages))
        value = result.to_json()
        rows = value if isinstance(value, list) else [] if value is None else [value]
        if len(rows) != len(result.matched_rules):
            log.warning("gps_violation: %d outputs for %d matched rules; outputs without a rule are left out",
                        len(rows), len(result.matched_rules))
        return [(rule_id, row if isinstance(row, dict) else {}) for rule_id, row in zip(result.matched_rules, rows,
                                                                                         strict=False)]


def _rule_id(rule_id: str) -> str:
    if len(rule_id) <= RULE_ID_CHARS:
        return rule_id
    log.warning("gps_violation rule %s…: its id is kept cut to %d characters", rule_id[:RULE_ID_CHARS], RULE_ID_CHARS)
    return rule_id[:RULE_ID_CHARS]


def _severity(rule_id: str, value: Any) -> str:
    if value is None:
        return DEFAULT_SEVERITY
    if value in SEVERITIES:
        return str(value)
    log.warning("gps_violation rule %s gave severity %r, not one of %s: kept as %r", rule_id[:RULE_ID_CHARS],
                str(value)[:40], "/".join(SEVERITIES), DEFAULT_SEVERITY)
    return DEFAULT_SEVERITY


def _subtype(rule_id: str, value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if 0 < len(text) <= SUBTYPE_CHARS and text.isprintable() and text.strip() == text:
        return text
    log.warning("gps_violation rule %s gave subtype %r, no case subtype code (1..%d printable characters): kept"
                " without one", rule_id[:RULE_ID_CHARS], text[:40], SUBTYPE_CHARS)
    return None


def defines_decision(text: str) -> bool:
    """Whether a DMN text has a decision with the id (or name) ``gps_violation``."""
    return deployed_decisions.defines_decision(text, DECISION)


def deployed_rules_text(store: CaseStore, version_id: int) -> str | None:
    """The text of the DMN source defining ``gps_violation`` in a ``transport_alert`` version (the newest, which a
    cache finds once with ``newest_version_id``); None when the version is gone or its bundle has no such
    decision."""
    return deployed_decisions.deployed_decision_text(store, version_id, DECISION)
