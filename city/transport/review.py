"""The transport alert review's step hook (运输告警复核): when a ``transport_alert`` case records its review (the
model's ``record_review`` step sets ``review_state`` from ``review.decision``), the alert it reviews becomes confirmed
or dismissed in ``gps_alerts``, in the same transaction. Only the alert whose review case this is moves (a case
started by hand naming another alert's id changes nothing), and only while it is open."""

from __future__ import annotations

from city.persistence.repositories.gps_alert_reviews import GpsAlertReviewStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import MessageBus
from engine.service.step_hooks import StepWritten

REVIEW_STATES = frozenset({"confirmed", "dismissed"})  # the model's review_state values, gps_alerts.state's too


def keep_alert_state(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook: a step that recorded the review of an alert sets the alert's state. Other cases' steps cost a
    look at their data only."""
    data = step.data
    state = data.get("review_state") if data else None
    if state not in REVIEW_STATES:
        return
    alert = data.get("alert")
    alert_id = alert.get("id") if isinstance(alert, dict) else None
    if isinstance(alert_id, bool) or not isinstance(alert_id, int):
        return
    uow.repository(GpsAlertReviewStore).record_review(alert_id, step.case_id, str(state))


def install(bus: MessageBus) -> None:
    """Add the transport alert review's step hook to ``bus``."""
    bus.deps.step_hooks.append(keep_alert_state)
