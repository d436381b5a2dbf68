"""Deploy refuses an invalid model with every validation problem and stores nothing; warnings do not block."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_types import Sql

from engine.domain.commands import DeployProcesses
from engine.domain.errors import ProcessInvalid
from engine.service.bus import MessageBus
from engine.service.validate import validate_sources

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{pid}" targetNamespace="t">'
        '<bpmn:process id="{pid}" isExecutable="true"><bpmn:startEvent id="s"/>')
TAIL = '<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>'


def good(pid: str) -> str:
    return (HEAD.format(pid=pid) + '<bpmn:scriptTask id="work"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>' + TAIL)


def broken(pid: str) -> str:
    """A gateway flow without a condition, and an unreachable task."""
    return (HEAD.format(pid=pid) + '<bpmn:exclusiveGateway id="choose"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="choose"/>'
            '<bpmn:sequenceFlow id="yes" sourceRef="choose" targetRef="e">'
            '<bpmn:conditionExpression>ok</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="no" sourceRef="choose" targetRef="e"/>'
            '<bpmn:task id="stray"/><bpmn:sequenceFlow id="f3" sourceRef="stray" targetRef="e"/>' + TAIL)


def versions(sql: Sql) -> list[tuple[str, int]]:
    return [(r.process_id, r.number) for r in sql("SELECT process_id, number FROM process_versions ORDER BY id")]


def test_an_invalid_model_is_refused_with_its_problems_and_nothing_is_stored(bus: MessageBus, sql: Sql) -> None:
    before = versions(sql)
    with pytest.raises(ProcessInvalid) as refused:
        bus.handle(DeployProcesses({"fine.bpmn": good("fine"), "bad.bpmn": broken("bad")}, "designer"))
    problems = refused.value.problems  # type: ignore[attr-defined]
    assert {(p["file"], p["element_id"], p["severity"]) for p in problems} == {
        ("bad.bpmn", "no", "error"), ("bad.bpmn", "stray", "error")}
    assert "bad.bpmn: no:" in refused.value.message and "stray" in refused.value.message
    assert refused.value.to_dict()["error"] == "ProcessInvalid"
    assert versions(sql) == before  # not even the valid file next to it
    assert bus.handle(DeployProcesses({"fine.bpmn": good("fine")}, "designer"))[0].created


def test_a_model_with_only_warnings_deploys(bus: MessageBus, sql: Sql) -> None:
    text = (HEAD.format(pid="warned") + '<bpmn:userTask id="review"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/>' + TAIL)
    assert [(p.element_id, p.severity) for p in validate_sources(bus.deps, {"w.bpmn": text})] == [
        ("review", "warning")]  # no candidate group
    (result,) = bus.handle(DeployProcesses({"w.bpmn": text}, "designer"))
    assert result.created and ("warned", 1) in versions(sql)


def test_a_broken_form_refuses_the_deploy(bus: MessageBus, sql: Sql, tmp_path: Path) -> None:
    (tmp_path / "review.json").write_text('{"type": "object", "properties": {"x": {"type": 5}}}', encoding="utf-8")
    text = (HEAD.format(pid="formed") + '<bpmn:userTask id="review"><bpmn:extensionElements>'
            '<spiffworkflow:properties xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core">'
            '<spiffworkflow:property name="candidateGroups" value="clerk"/>'
            '<spiffworkflow:property name="form" value="review.json"/></spiffworkflow:properties>'
            '</bpmn:extensionElements></bpmn:userTask>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/>' + TAIL)
    before = versions(sql)
    with pytest.raises(ProcessInvalid, match="review"):
        bus.handle(DeployProcesses({"formed.bpmn": text}, "designer", forms_dir=tmp_path))
    assert versions(sql) == before
