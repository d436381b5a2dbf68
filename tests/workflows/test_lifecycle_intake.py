"""Case lifecycle intake (受理): the camera message start, which channels skip on-site verification, how the
priority rules make a case urgent (and halve its disposal limit), and the filing advice the shift lead sees."""

from __future__ import annotations

from typing import Any

import pytest
from fixture_types import TaskData
from lifecycle import IN_CITY, Case, cst, due, report, start, to_disposal
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

DETECTION = {"camera_id": "cam-07", "subtype": "0601", "lon": IN_CITY["lon"], "lat": IN_CITY["lat"],
             "image": "frame-0042.jpg", "confidence": 0.93}


def detect(bus: MessageBus, db: Engine, detection: dict[str, Any]) -> Case:
    (ref,) = bus.handle(c.SendMessage("video_detection", {"detection": detection}, "vision"))
    assert ref.created
    return Case(bus, db, ref.case_id)


def test_a_camera_detection_becomes_a_video_report_the_seat_operator_reviews(city_bus: MessageBus, db: Engine,
                                                                              task_data: TaskData) -> None:
    case = detect(city_bus, db, {**DETECTION, "rule": "v_parking", "zone": "no_parking_1"})
    assert set(case.ready()) == {"review_detection"}
    assert case.ready()["review_detection"].candidate_group == "seat_operator"
    (data,) = task_data(case.case_id, "review_detection")
    built = data["report"]
    assert (built["channel"], built["subtype"], built["description"], built["reporter"]) == (
        "video", "0601", "视频智能发现", "cam-07")
    assert (built["evidence"], built["confidence"], built["urgency"]) == (["frame-0042.jpg"], 0.93, "normal")
    assert (built["location"], built["in_coverage"], built["district"]) == (IN_CITY, True, "350602")
    assert (built["camera_rule"], built["camera_zone"]) == ("v_parking", "no_parking_1")


def test_a_confirmed_detection_goes_to_filing_without_on_site_verification(city_bus: MessageBus, db: Engine,
                                                                           task_data: TaskData) -> None:
    case = detect(city_bus, db, DETECTION)
    case.complete("review_detection", {"detection_review": {"decision": "confirm"}}, "seat001")
    assert set(case.ready()) == {"file_or_void"}
    assert case.tasks("verify_report") == []
    (data,) = task_data(case.case_id, "file_or_void")
    assert (data["detection_review"]["decision"], data["verification"], data["advice"]) == ("confirm", None, "file")


def test_a_false_positive_is_voided_at_once_and_counted_for_the_camera_rule(city_bus: MessageBus,
                                                                            db: Engine) -> None:
    case = detect(city_bus, db, {**DETECTION, "rule": "v_parking"})
    case.complete("review_detection", {"detection_review": {"decision": "false_positive", "note": "影子"}}, "seat001")
    assert case.status == "completed" and case.ready() == {}
    evaluation = case.data()["evaluation"]
    facts = ("result", "void_reason", "false_positive", "camera_rule")
    assert tuple(evaluation[k] for k in facts) == ("voided", "invalid", True, "v_parking")
    assert case.data()["filing"] == {"decision": "void", "void_reason": "invalid", "note": "影子"}


def test_a_detection_without_image_or_camera_still_makes_a_report(city_bus: MessageBus, db: Engine,
                                                                  task_data: TaskData) -> None:
    bare = {"subtype": "0601", "lon": IN_CITY["lon"], "lat": IN_CITY["lat"], "description": "垃圾堆积"}
    case = detect(city_bus, db, bare)
    built = task_data(case.case_id, "review_detection")[0]["report"]
    assert (built["evidence"], built["reporter"], built["description"]) == ([], "camera", "垃圾堆积")


@pytest.mark.parametrize("channel", ["patrol", "census"])
def test_a_collectors_own_report_skips_verification(city_bus: MessageBus, db: Engine, task_data: TaskData,
                                                    channel: str) -> None:
    case = start(city_bus, db, report(channel=channel))
    assert set(case.ready()) == {"file_or_void"}
    assert case.tasks("verify_report") == []
    (data,) = task_data(case.case_id, "file_or_void")
    assert (data["verification"], data["advice"]) == (None, "file")


def test_the_shift_lead_sees_the_filing_advice(city_bus: MessageBus, db: Engine, task_data: TaskData) -> None:
    case = start(city_bus, db, report())
    case.complete("verify_report", {"verification": {"found": True}})
    assert case.ready()["file_or_void"].candidate_group == "shift_lead"
    (data,) = task_data(case.case_id, "file_or_void")
    assert (data["advice"], data["advice_note"], data["void_reason"]) == ("file", "符合立案条件", None)
    assert data["filing_condition"] == "暴露垃圾：暴露或积存面积0.5平方米以上，或保洁不到位且持续2小时以上"


def test_an_unknown_category_is_advised_void_out_of_scope(city_bus: MessageBus, db: Engine,
                                                           task_data: TaskData) -> None:
    case = start(city_bus, db, report(subtype="9999"))
    case.complete("verify_report", {"verification": {"found": True}})
    (data,) = task_data(case.case_id, "file_or_void")
    assert (data["advice"], data["void_reason"], data["advice_note"]) == (
        "void", "out_of_scope", "不属于城市管理部件事件类别")
    assert data.get("filing_condition") is None


def urgency_of(task_data: TaskData, case: Case) -> tuple[str, str]:
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    return data["report"]["urgency"], data["priority_reason"]


@pytest.mark.parametrize("channel", ["leadership", "media"])
def test_leadership_and_media_reports_are_urgent_with_half_the_limit(city_bus: MessageBus, db: Engine,
                                                                     clock: FakeClock, task_data: TaskData,
                                                                     channel: str) -> None:
    clock.set(cst(2, 11, 30))  # Monday, half an hour before the lunch break
    case = to_disposal(city_bus, db, report(channel=channel))
    assert urgency_of(task_data, case) == ("urgent", "领导批示或媒体曝光")
    # 暴露垃圾 urgent: 1 working hour (normal: 2). 11:30–12:00, then 14:30–15:00.
    assert due(case, "disposal_overdue") == cst(2, 15, 0)
    assert due(case, "disposal_warning") == cst(2, 14, 48)  # 48 min: 30 before lunch, 18 after
    assert due(case, "disposal_escalated") == cst(3, 9, 30)  # 15:00–17:30 is 2.5 h, then 1.5 h on Tuesday


def test_a_report_marked_urgent_stays_urgent(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                             task_data: TaskData) -> None:
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db, report(urgency="urgent"))
    assert urgency_of(task_data, case) == ("urgent", "上报时标记为紧急")
    assert due(case, "disposal_overdue") == cst(2, 10, 0)


def test_a_hazard_is_urgent_and_counted_in_natural_hours(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                         task_data: TaskData) -> None:
    clock.set(cst(2, 18))  # Monday evening, off duty: natural hours still run
    case = to_disposal(city_bus, db, report(subtype="0901", urgency="normal"))  # 路面塌陷
    assert urgency_of(task_data, case) == ("urgent", "安全隐患类问题")
    assert case.ready()["dispose_problem"].candidate_group == "350602-D08"
    assert due(case, "disposal_overdue") == cst(2, 19, 0)  # 1 natural hour (normal would be 2)
    assert due(case, "disposal_warning") == cst(2, 18, 48)
    assert due(case, "disposal_escalated") == cst(3, 12, 0)  # 4 working hours from 19:00: Tuesday 08:00–12:00


def test_a_normal_report_keeps_the_full_limit(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                              task_data: TaskData) -> None:
    clock.set(cst(2, 11, 30))
    case = to_disposal(city_bus, db, report(channel="wechat"))
    assert urgency_of(task_data, case) == ("normal", "一般问题")
    assert due(case, "disposal_overdue") == cst(2, 16, 0)  # 0.5 h before lunch + 1.5 h after
