"""Property companies' credit (物业信用): the step hooks writing ``property_credit_events``, and the score.

- ``case_credit``: a lifecycle case counts against a company once, at the step that files it (立案: the step whose
  data change sets ``filing.decision`` to ``file`` — the shift lead's 立案 or the emergency rules' 自动立案 — in a
  version declaring the ``filed`` milestone), when its report point lies in an active compound of an active company
  (``city.assessment.compounds``): the decision ``property_credit`` (rules/property_credit.dmn, as deployed with the
  newest ``assessment_inspection`` version) gives the points for its subtype; 0 points is no event. The event key
  ``case:<id>`` makes a later step, a replay or a second filing of the same case count nothing. A rectification case
  (考评整改: channel ``assessment``, or data holding ``assessment``) counts nothing: the inspection's own event already
  counts the failure. A table that fails or overruns its CPU budget, or gives points that are not a finite number
  within ±100, is logged and counts nothing: a filing is never blocked by the credit.
- ``inspection_credit``: an ``assessment_inspection`` step whose data change sets ``credit`` (the model's
  ``decide_credit_points``) records its points against the inspected compound's company (``inspection:<id>``);
  points that are not a finite number within ±100 are not recorded.

A company's credit score (100 less its points of the last 365 days, kept between 0 and 100) and grade (A from 90, B
from 75, C from 60, D below) are ``city.assessment.standings``' ``credit_score`` and ``grade``, which the rankings
share.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import dmn
from city.assessment.commands import LoadAssessmentRegistry, SetAssessedObjectActive
from city.assessment.compounds import CompoundIndex
from city.assessment.inspection_hooks import CHANNEL as RECTIFICATION_CHANNEL
from city.deployed_decisions import deployed_decision_text
from city.persistence.read.property_credit import inspection_company
from city.persistence.read.transport_rules import newest_version_id
from city.persistence.repositories.property_credit import CreditEvent, PropertyCreditStore
from dmn.model import Decision
from engine.domain import events as ev
from engine.domain.decisions import load_model
from engine.domain.milestones import FILED
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import MessageBus
from engine.service.observe import CommandObserved
from engine.service.step_hooks import StepWritten

log = logging.getLogger(__name__)

DECISION = "property_credit"
PROCESS = "assessment_inspection"  # the table is deployed with the inspection model (its decide_credit_points)
CPU_SECONDS = 1.0  # one evaluation (well under a millisecond as shipped): an edited table must not stall a filing
MAX_POINTS = 100.0  # a credit score spans 0–100: more points than that at once is an edited table's mistake


def _number(value: Any) -> float | None:
    """A finite number (int, float or Decimal; no bool, no text) as float; None otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):  # a Decimal beyond float's range
        return None
    return number if math.isfinite(number) else None


def plausible_points(value: Any) -> float | None:
    """Credit points as float when a finite number within ±``MAX_POINTS``; None otherwise."""
    number = _number(value)
    return number if number is not None and abs(number) <= MAX_POINTS else None


def deployed_model(store: CaseStore, version_id: int) -> dmn.Model | None:
    """The ``property_credit`` decision of a deployed version's bundle; None when it has none."""
    text = deployed_decision_text(store, version_id, DECISION)
    if text is None:
        return None
    try:
        model = load_model(text)
        model.find(DECISION, Decision)
    except ValueError:
        return None  # deployment checks the bundle: a table that names the decision and does not load is not one
    return model


@dataclass
class CreditCaches:
    """The compounds' polygons and the newest deployed credit table (read again when a newer version is
    deployed: one small query per filing inside a compound tells)."""

    compounds: CompoundIndex = field(default_factory=CompoundIndex)
    _rules: tuple[int | None, dmn.Model | None] = (None, None)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def rules(self, store: CaseStore) -> dmn.Model | None:
        """The credit table of the newest ``assessment_inspection`` version; None when none is deployed."""
        newest = newest_version_id(store, PROCESS)
        with self._lock:
            if newest != self._rules[0] or newest is None:
                self._rules = (newest, None if newest is None else deployed_model(store, newest))
            return self._rules[1]

    def observe(self, observed: CommandObserved) -> None:
        """The bus's observer: a registry load or an object (de)activated here is seen at once."""
        if observed.outcome == "ok" and isinstance(observed.command, LoadAssessmentRegistry | SetAssessedObjectActive):
            self.compounds.reset()


def evaluate(model: dmn.Model, credit_input: dict[str, Any], about: str = "") -> tuple[float, str] | None:
    """(points, reason) the table gives ``credit_input``; None, logged with ``about`` (e.g. ``case 12``), when it
    fails, overruns its CPU budget or gives no plausible points (a finite number within ±100)."""
    try:
        result = model.evaluate(DECISION, {}, context={"credit_input": credit_input}, cpu_seconds=CPU_SECONDS)
        value = result.to_json()
    except Exception as exc:  # an edited table's fault must never block the filing it counts
        log.warning("property_credit failed for %s %s: %s: %s", about, credit_input, type(exc).__name__, exc)
        return None
    row = value[0] if isinstance(value, list) and value else value
    points = plausible_points(row.get("points")) if isinstance(row, dict) else None
    if points is None or not isinstance(row, dict):
        log.warning("property_credit gave no plausible points for %s %s (%s)", about, credit_input,
                    "; ".join(result.messages) or (row.get("points") if isinstance(row, dict) else row))
        return None
    return points, str(row.get("reason") or "")


def _rectification(data: dict[str, Any]) -> bool:
    """Whether the case is an inspection's rectification case (考评整改): its failure is counted already."""
    report = data.get("report")
    return "assessment" in data or (isinstance(report, dict) and report.get("channel") == RECTIFICATION_CHANNEL)


def _changed(step: StepWritten, test: Callable[[str, list[Any]], bool]) -> bool:
    """Whether one of the step's data changes (path, [before, after]) passes ``test``."""
    return any(record.event_type == ev.DATA_CHANGED and isinstance(changes := record.data.get("changes"), dict)
               and any(isinstance(pair, list) and len(pair) == 2 and test(path, pair) for path, pair in changes.items())
               for record in step.records)


def _filed_report(step: StepWritten) -> tuple[str, float, float] | None:
    """(subtype, lon, lat) of the lifecycle case this step filed (立案), else None."""
    if not step.data or FILED not in step.milestones.values() or _rectification(step.data):
        return None
    if not _changed(step, lambda path, pair: path == "filing.decision" and pair[1] == "file" != pair[0]):
        return None
    report = step.data.get("report")
    where = report.get("location") if isinstance(report, dict) else None
    if not isinstance(where, dict) or not isinstance(report.get("subtype"), str):  # type: ignore[union-attr]
        return None
    lon, lat = _number(where.get("lon")), _number(where.get("lat"))
    return None if lon is None or lat is None else (str(report["subtype"]), lon, lat)  # type: ignore[index]


def case_credit(caches: CreditCaches) -> Callable[[UnitOfWork, StepWritten], None]:
    """The step hook counting a filed case against its compound's company (see the module's docstring)."""

    def record_case_credit(uow: UnitOfWork, step: StepWritten) -> None:
        """A case filed inside a compound: the table's points for its subtype, once."""
        filed = _filed_report(step)
        if filed is None:
            return
        subtype, lon, lat = filed
        compound = caches.compounds.compound_at(uow.store, lon, lat)
        model = None if compound is None else caches.rules(uow.store)
        if compound is None or model is None:
            return
        found = evaluate(model, {"source": "case", "subtype": subtype, "score": None}, f"case {step.case_id}")
        if found is None or found[0] == 0:
            return
        uow.repository(PropertyCreditStore).record(CreditEvent(
            f"case:{step.case_id}", compound.company_id, compound.id, "case", found[0], found[1], step.now,
            case_id=step.case_id, subtype_code=subtype))

    return record_case_credit


def inspection_credit(uow: UnitOfWork, step: StepWritten) -> None:
    """An inspection step that set ``credit``: its points against the compound's company, once."""
    credit = step.data.get("credit") if step.data else None
    inspection_id = step.data.get("inspection_id") if step.data else None
    if not isinstance(credit, dict) or not isinstance(inspection_id, int) or isinstance(inspection_id, bool):
        return
    if not _changed(step, lambda path, pair: path == "credit" or path.startswith("credit.")):
        return
    points = plausible_points(credit.get("points"))
    found = None if not points else inspection_company(uow.store, inspection_id)
    if points is None or found is None:
        return
    uow.repository(PropertyCreditStore).record(CreditEvent(
        f"inspection:{inspection_id}", found[1], found[0], "inspection", points, str(credit.get("reason") or ""),
        step.now, inspection_id=inspection_id))


def install(bus: MessageBus) -> CreditCaches:
    """Add the credit hooks to ``bus``, with their caches (reset by a registry load through it)."""
    caches = CreditCaches()
    bus.observers.append(caches.observe)
    bus.deps.step_hooks.append(case_credit(caches))
    bus.deps.step_hooks.append(inspection_credit)
    return caches
