"""Bad input to the case lifecycle: every refusal names its field (FormRejected, HTTP 422) and writes nothing —
a refused report or detection leaves no case at all, a refused form leaves the case exactly as it was."""

from __future__ import annotations

from typing import Any

import pytest
from fixture_types import Snapshot, Sql
from lifecycle import DISPOSED, IN_CITY, Case, rejected, report, start, to_disposal
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.errors import FormRejected, InvalidCommand
from engine.service.bus import MessageBus

NO_CHANNEL = {k: v for k, v in report().items() if k != "channel"}
NO_SUBTYPE = {k: v for k, v in report().items() if k != "subtype"}
NO_LOCATION = {k: v for k, v in report().items() if k != "location"}


def nothing_stored(sql: Sql) -> bool:
    tables = ("cases", "case_events", "workflow_tasks", "human_tasks", "timers")
    return all(sql(f"SELECT COUNT(*) AS n FROM {table}")[0].n == 0 for table in tables)


@pytest.mark.parametrize(("data", "field"), [
    (NO_CHANNEL, "report.channel"),
    (report(channel=["patrol"]), "report.channel"),  # which codes a city has: the intake checks its channels
    (NO_LOCATION, "report.location"),
    (report(location={"lon": "117.65", "lat": 24.51}), "report.location"),
    (report(location={"lon": True, "lat": 24.51}), "report.location"),
    (report(location=[117.65, 24.51]), "report.location"),
    (NO_SUBTYPE, "report.subtype"),
    (report(subtype=""), "report.subtype"),
    (report(urgency="asap"), "report.urgency"),
    ("路边暴露垃圾", "report"),
], ids=["no-channel", "bad-channel", "no-location", "text-lon", "bool-lon", "list-location", "no-subtype",
        "empty-subtype", "bad-urgency", "not-an-object"])
def test_a_refused_report_starts_no_case(city_bus: MessageBus, sql: Sql, data: Any, field: str) -> None:
    with pytest.raises(FormRejected) as refused:
        city_bus.handle(c.StartCase("case_lifecycle", {"report": data}, "seat001"))
    assert refused.value.field == field
    assert isinstance(refused.value, InvalidCommand) and refused.value.http_status == 422
    assert sql("SELECT COUNT(*) AS n FROM cases")[0].n == 0
    assert nothing_stored(sql)


@pytest.mark.parametrize(("detection", "field"), [
    ({"camera_id": "cam-07", "subtype": "0601", "lat": IN_CITY["lat"]}, "report.location"),
    ({"camera_id": "cam-07", "lon": IN_CITY["lon"], "lat": IN_CITY["lat"]}, "report.subtype"),
    ("cam-07 saw garbage", "detection"),
])
def test_a_refused_detection_starts_no_case(city_bus: MessageBus, sql: Sql, detection: Any, field: str) -> None:
    with pytest.raises(FormRejected) as refused:
        city_bus.handle(c.SendMessage("video_detection", {"detection": detection}, "vision"))
    assert refused.value.field == field
    assert nothing_stored(sql)


@pytest.mark.parametrize("data", [{}, {"verification": {"note": "去过了"}}, {"verification": {"found": "yes"}}])
def test_a_verification_must_say_whether_it_was_found(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                                      data: dict[str, Any]) -> None:
    case = start(city_bus, db, report())
    assert rejected(case, "verify_report", data, snapshot) == "verification.found"
    assert set(case.ready()) == {"verify_report"}


@pytest.mark.parametrize("data", [{}, {"detection_review": {"note": "看不清"}},
                                  {"detection_review": {"decision": "maybe"}}, {"detection_review": "confirm"}])
def test_a_detection_review_must_confirm_or_call_it_a_false_positive(city_bus: MessageBus, db: Engine,
                                                                     snapshot: Snapshot, data: dict[str, Any]) -> None:
    (ref,) = city_bus.handle(c.SendMessage("video_detection", {"detection": {
        "camera_id": "cam-07", "subtype": "1004", "lon": IN_CITY["lon"], "lat": IN_CITY["lat"]}}, "vision"))
    case = Case(city_bus, db, ref.case_id)
    assert rejected(case, "review_detection", data, snapshot) == "detection_review.decision"
    assert set(case.ready()) == {"review_detection"}


def at_disposal(bus: MessageBus, db: Engine) -> Case:
    return to_disposal(bus, db, report(channel="patrol"))


@pytest.mark.parametrize(("disposal", "field"), [
    (None, "disposal.outcome"),
    ({"result": "已清运"}, "disposal.outcome"),
    ({"outcome": "done", "result": "已清运"}, "disposal.outcome"),
    ({"outcome": "disposed"}, "disposal.result"),
    ({"outcome": "disposed", "result": ""}, "disposal.result"),
    ({"outcome": "return"}, "disposal.reason"),
    ({"outcome": "suspension"}, "disposal.reason"),
    ({"outcome": "extension", "extension_amount": 2}, "disposal.reason"),
    ({"outcome": "extension", "reason": "量大"}, "disposal.extension_amount"),
    ({"outcome": "extension", "reason": "量大", "extension_amount": 0}, "disposal.extension_amount"),
    ({"outcome": "extension", "reason": "量大", "extension_amount": -1}, "disposal.extension_amount"),
    ({"outcome": "extension", "reason": "量大", "extension_amount": "2"}, "disposal.extension_amount"),
    ({"outcome": "extension", "reason": "量大", "extension_amount": True}, "disposal.extension_amount"),
], ids=["none", "no-outcome", "bad-outcome", "no-result", "empty-result", "return-no-reason",
        "suspension-no-reason", "extension-no-reason", "extension-no-amount", "extension-zero", "extension-negative",
        "extension-text", "extension-bool"])
def test_a_bad_disposal_report_is_rejected(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                           disposal: dict[str, Any] | None, field: str) -> None:
    case = at_disposal(city_bus, db)
    assert rejected(case, "dispose_problem", {"disposal": disposal}, snapshot) == field
    assert set(case.ready()) == {"dispose_problem"}
    assert set(case.timers()) == {"disposal_warning", "disposal_overdue", "disposal_escalated"}


def requested(bus: MessageBus, db: Engine, outcome: str) -> Case:
    case = at_disposal(bus, db)
    case.complete("dispose_problem", {"disposal": {"outcome": outcome, "reason": "需协调", "extension_amount": 2}})
    return case


@pytest.mark.parametrize(("review", "field"), [
    (None, "extension_review.approved"),
    ({"note": "同意"}, "extension_review.approved"),
    ({"approved": "yes"}, "extension_review.approved"),
    ({"approved": True, "amount": -1}, "extension_review.amount"),
    ({"approved": True, "amount": "1"}, "extension_review.amount"),
    ({"approved": True, "amount": False}, "extension_review.amount"),
])
def test_a_bad_extension_review_is_rejected(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                            review: dict[str, Any] | None, field: str) -> None:
    case = requested(city_bus, db, "extension")
    assert rejected(case, "review_extension", {"extension_review": review}, snapshot) == field


@pytest.mark.parametrize("review", [None, {"note": "同意"}, {"approved": 1}])
def test_a_suspension_review_must_say_approved(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                               review: dict[str, Any] | None) -> None:
    case = requested(city_bus, db, "suspension")
    assert rejected(case, "review_suspension", {"suspension_review": review}, snapshot) == "suspension_review.approved"


@pytest.mark.parametrize("check", [None, {"note": "看过了"}, {"passed": "yes"}])
def test_a_check_must_say_passed(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                 check: dict[str, Any] | None) -> None:
    case = at_disposal(city_bus, db)
    case.complete("dispose_problem", DISPOSED)
    assert rejected(case, "check_on_site", {"check": check}, snapshot) == "check.passed"


@pytest.mark.parametrize("data", [{}, {"closing": "normal"}, {"closing": {"close_type": "fast"}},
                                  {"closing": {"close_type": None}}])
def test_a_close_needs_a_known_close_type(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                          data: dict[str, Any]) -> None:
    case = at_disposal(city_bus, db)
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": True}})
    assert rejected(case, "close_case", data, snapshot) == "closing.close_type"
    assert case.status == "running" and set(case.ready()) == {"close_case"}
