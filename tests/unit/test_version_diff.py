"""Diffs between process versions: the case lifecycle against edited copies of itself, and DMN rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from designer.version_diff import VersionDiffError, diff_bpmn, diff_dmn, main_process_id

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = (ROOT / "workflows" / "case_lifecycle.bpmn").read_text(encoding="utf-8")
PRIORITY = (ROOT / "rules" / "priority.dmn").read_text(encoding="utf-8")
NOTHING = {"added": [], "removed": [], "changed": [], "layout_changed": False, "layout_only": False}


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """``text`` with each (old, new) replaced exactly once (the test fails if ``old`` is not there once)."""
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def changed(diff: dict[str, Any]) -> dict[str, list[str]]:
    return {entry["id"]: entry["changes"] for entry in diff["changed"]}


def test_a_version_against_itself_has_no_differences() -> None:
    assert diff_bpmn(LIFECYCLE, LIFECYCLE) == NOTHING
    assert diff_dmn(PRIORITY, PRIORITY) == {"added": [], "removed": [], "changed": []}


def test_a_changed_timer_is_named_with_its_old_and_new_value() -> None:
    old = edit(LIFECYCLE, ("<bpmn:timeDate>escalate_at</bpmn:timeDate>",
                           "<bpmn:timeDuration>PT4H</bpmn:timeDuration>"))
    new = edit(old, ("PT4H", "PT2H"))
    diff = diff_bpmn(old, new)
    assert diff["added"] == diff["removed"] == []
    assert diff["changed"] == [{"id": "disposal_escalated", "type": "boundaryEvent", "name": "Still overdue (二级督办)",
                                "changes": ["timer: PT4H → PT2H"]}]
    assert not diff["layout_changed"]
    kind = diff_bpmn(LIFECYCLE, old)
    assert changed(kind) == {"disposal_escalated": ["timer: escalate_at → PT4H", "timer kind: timeDate → timeDuration"]}


def test_a_removed_task_and_its_flows_are_reported_and_the_rerouted_flow_changes_target() -> None:
    task = re.search(r'\s*<bpmn:userTask id="acknowledge_warning".*?</bpmn:userTask>', LIFECYCLE, re.S)
    assert task is not None
    new = edit(LIFECYCLE, (task.group(0), ""),
               ('targetRef="acknowledge_warning"', 'targetRef="warning_acknowledged"'),
               ('<bpmn:sequenceFlow id="acknowledged_to_end" sourceRef="acknowledge_warning"'
                ' targetRef="warning_acknowledged"/>', ""))
    diff = diff_bpmn(LIFECYCLE, new)
    assert diff["added"] == []
    assert diff["removed"] == [
        {"id": "acknowledge_warning", "type": "userTask",
         "name": "Deadline warning: 80 % of the limit used (预警提醒)"},
        {"id": "acknowledged_to_end", "type": "sequenceFlow", "name": None}]
    assert changed(diff) == {"warning_new": ["flow target: acknowledge_warning → warning_acknowledged"]}


def test_an_added_task_in_a_lane_is_reported_with_the_flows_and_lane_that_changed() -> None:
    new = edit(LIFECYCLE,
               ('<bpmn:sequenceFlow id="priority_to_emergency_check" sourceRef="record_priority"'
                ' targetRef="under_emergency"/>',
                '<bpmn:sequenceFlow id="priority_to_emergency_check" sourceRef="record_priority"'
                ' targetRef="notify_citizen"/>\n'
                '    <bpmn:userTask id="notify_citizen" name="Tell the citizen (告知)">\n'
                '      <bpmn:extensionElements><spiffworkflow:properties>\n'
                '        <spiffworkflow:property name="candidateGroups" value="seat_operator"/>\n'
                '      </spiffworkflow:properties></bpmn:extensionElements>\n'
                '    </bpmn:userTask>\n'
                '    <bpmn:sequenceFlow id="notified_to_check" sourceRef="notify_citizen"'
                ' targetRef="under_emergency"/>'),
               ("<bpmn:flowNodeRef>record_priority</bpmn:flowNodeRef>",
                "<bpmn:flowNodeRef>record_priority</bpmn:flowNodeRef><bpmn:flowNodeRef>notify_citizen</bpmn:flowNodeRef>"))
    diff = diff_bpmn(LIFECYCLE, new)
    assert diff["added"] == [{"id": "notify_citizen", "type": "userTask", "name": "Tell the citizen (告知)"},
                             {"id": "notified_to_check", "type": "sequenceFlow", "name": None}]
    assert diff["removed"] == []
    assert changed(diff) == {"seat_operator_lane": ["members: +notify_citizen"],
                             "priority_to_emergency_check": ["flow target: under_emergency → notify_citizen"]}


def test_renamed_elements_and_changed_groups_conditions_and_scripts() -> None:
    new = edit(LIFECYCLE,
               ('name="Record the priority"', 'name="Record the urgency"'),
               ('<spiffworkflow:property name="candidateGroups" value="dispatcher"/>',
                '<spiffworkflow:property name="candidateGroups" value="shift_lead"/>'),
               ("<bpmn:conditionExpression>warning_pending</bpmn:conditionExpression>",
                "<bpmn:conditionExpression>warning_pending and True</bpmn:conditionExpression>"),
               ('policy = {"warning_share": 0.8', 'policy = {"warning_share": 0.7'),
               ('<bpmn:message id="video_detection_message" name="video_detection"/>',
                '<bpmn:message id="video_detection_message" name="camera_detection"/>'))
    diff = diff_bpmn(LIFECYCLE, new)
    assert diff["added"] == diff["removed"] == []
    assert changed(diff) == {
        "video_detection_message": ["name: 'video_detection' → 'camera_detection'"],
        "register_report": ["script changed"],
        "record_priority": ["name: 'Record the priority' → 'Record the urgency'"],
        "confirm_dispatch": ["candidateGroups: dispatcher → shift_lead"],
        "warning_new": ["condition changed"],
    }
    renamed = next(e for e in diff["changed"] if e["id"] == "record_priority")
    assert renamed["type"] == "scriptTask" and renamed["name"] == "Record the urgency"


def test_a_relayout_alone_is_layout_only_and_reformatting_is_nothing() -> None:
    moved = re.sub(r'x="(\d+)"', lambda m: f'x="{int(m.group(1)) + 40}"', LIFECYCLE)
    assert moved != LIFECYCLE
    assert diff_bpmn(LIFECYCLE, moved) == {**NOTHING, "layout_changed": True, "layout_only": True}
    reformatted = re.sub(r">\s*<", ">\n\t\t<", LIFECYCLE)
    assert diff_bpmn(LIFECYCLE, reformatted) == NOTHING
    renamed_and_moved = edit(moved, ('name="Record the priority"', 'name="Record it"'))
    both = diff_bpmn(LIFECYCLE, renamed_and_moved)
    assert both["layout_changed"] and not both["layout_only"] and len(both["changed"]) == 1


def test_a_changed_element_type_and_an_empty_old_file() -> None:
    new = edit(LIFECYCLE, ('<bpmn:userTask id="close_case"', '<bpmn:manualTask id="close_case"'),
               ('</bpmn:userTask>\n    <bpmn:sequenceFlow id="closed_to_evaluation"',
                '</bpmn:manualTask>\n    <bpmn:sequenceFlow id="closed_to_evaluation"'))
    assert changed(diff_bpmn(LIFECYCLE, new)) == {"close_case": ["type: userTask → manualTask"]}
    everything = diff_bpmn("", LIFECYCLE)
    ids = {entry["id"] for entry in everything["added"]}
    assert {"case_lifecycle", "verify_report", "disposal_stage", "collector_lane", "video_detection_message",
            "verification_needed"} <= ids
    assert everything["removed"] == everything["changed"] == [] and everything["layout_changed"]
    assert diff_bpmn(LIFECYCLE, "")["removed"] == everything["added"]


def test_dmn_rules_added_removed_and_changed_by_rule_id() -> None:
    rule = re.search(r'\s*<rule id="p_reported_urgent">.*?</rule>', PRIORITY, re.S)
    assert rule is not None
    new = edit(PRIORITY, (rule.group(0), ""), ('"一般问题"', '"普通问题"'),
               ('hitPolicy="PRIORITY"', 'hitPolicy="FIRST"'),
               ("</decisionTable>", '<rule id="p_petition"><inputEntry><text>"petition"</text></inputEntry>'
                "<inputEntry><text>-</text></inputEntry><inputEntry><text>-</text></inputEntry>"
                '<outputEntry><text>"urgent"</text></outputEntry><outputEntry><text>"信访"</text></outputEntry>'
                "</rule></decisionTable>"))
    diff = diff_dmn(PRIORITY, new)
    assert diff["added"] == diff["removed"] == []
    assert diff["changed"] == [{"id": "priority", "name": "priority", "changes": ["hit policy: PRIORITY → FIRST"],
                                "rules": {"added": ["p_petition"], "removed": ["p_reported_urgent"],
                                          "changed": [{"id": "p_default", "changes": [
                                              'output priority_reason: "一般问题" → "普通问题"']}]}}]
    assert diff_dmn("", PRIORITY)["added"] == [{"id": "priority", "name": "priority", "rules": 4}]


def test_bad_xml_is_refused_and_the_main_process_is_found() -> None:
    with pytest.raises(VersionDiffError):
        diff_bpmn(LIFECYCLE, "<bpmn:definitions")
    with pytest.raises(VersionDiffError):
        diff_dmn("<definitions><decision></definitions>", PRIORITY)
    assert main_process_id(LIFECYCLE) == "case_lifecycle"
    assert main_process_id("not xml") is None
    assert main_process_id(PRIORITY) is None
