"""Moving a subtype's routing after review: a move made while another ran is refused rather than undoing it, and
the rules in force are the lifecycle's, whatever other process holds a responsibility table."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api, error_of

import city.admin.routing as routing
from city.admin import commands as ac
from engine.domain.commands import DeployProcesses
from engine.domain.errors import ConcurrencyConflict

OTHER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="aa_defs" targetNamespace="http://gridcase.example/tests">
  <bpmn:process id="aa_other_rules" name="Another process with a responsibility table" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="route"/>
    <bpmn:businessRuleTask id="route" name="Route">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>responsibility</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="route" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _add_departments(api: Api, *codes: str) -> None:
    for code in codes:
        response = api.post("/admin/departments", "admin", {"code": code, "name_zh": code, "name_en": code,
                                                            "level": "city"})
        assert response.status_code == 201, response.json


def test_a_move_made_while_another_ran_is_refused_and_the_other_kept(api: Api,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _add_departments(api, "C81", "C82")
    real = routing.move_subtype
    inner: list[dict[str, Any]] = []

    def interleaved(dmn: str, subtype: str, department: str) -> tuple[str, list[str]]:
        out = real(dmn, subtype, department)
        monkeypatch.setattr(routing, "move_subtype", real)  # another admin's move runs between this one's read
        inner.append(api.bus.handle(ac.MoveSubtypeRouting("0701", "C82", "admin", "")))  # and its write
        return out

    monkeypatch.setattr(routing, "move_subtype", interleaved)
    with pytest.raises(ConcurrencyConflict) as refused:
        api.bus.handle(ac.MoveSubtypeRouting("0601", "C81", "admin", ""))
    assert refused.value.field == "version"
    routes = api.get("/admin/routing", "admin").json
    assert routes["version"] == inner[0]["version"]
    assert routes["routes"]["0701"] == ["C82"]
    assert "C81" not in routes["routes"]["0601"]
    again = api.client.put("/api/v1/admin/routing/0601", json={"department": "C81"}, headers=api.headers("admin"))
    assert again.status_code == 200, again.json  # retried on the newest version, both moves are kept
    routes = api.get("/admin/routing", "admin").json["routes"]
    assert routes["0601"] == ["C81"] and routes["0701"] == ["C82"]


def test_the_rules_in_force_are_the_lifecycles_not_another_process_with_a_table(api: Api) -> None:
    _add_departments(api, "C83", "C84")
    before = api.get("/admin/routing", "admin").json
    other_dmn = routing.move_subtype(routing.routing_in_force(api.deps).dmn, "0601", "C83")[0]  # type: ignore[union-attr]
    api.bus.handle(DeployProcesses({"aa_other.bpmn": OTHER_BPMN, "responsibility.dmn": other_dmn}, "admin", "t"))
    shown = api.get("/admin/routing", "admin").json
    assert shown["process_id"] == "case_lifecycle" and shown["routes"] == before["routes"]
    moved = api.client.put("/api/v1/admin/routing/0701", json={"department": "C84"}, headers=api.headers("admin"))
    assert moved.status_code == 200, moved.json
    assert moved.json["process_id"] == "case_lifecycle"
    assert api.get("/admin/routing", "admin").json["routes"]["0701"] == ["C84"]


def test_a_stale_version_is_named_in_the_api_refusal(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    _add_departments(api, "C85")
    real = routing.move_subtype

    def bumped(dmn: str, subtype: str, department: str) -> tuple[str, list[str]]:
        out = real(dmn, subtype, department)
        monkeypatch.setattr(routing, "move_subtype", real)
        api.bus.handle(ac.MoveSubtypeRouting("0701", "C85", "admin", ""))
        return out

    monkeypatch.setattr(routing, "move_subtype", bumped)
    refused = api.client.put("/api/v1/admin/routing/0601", json={"department": "C85"}, headers=api.headers("admin"))
    assert "version" in error_of(refused, 409)["fields"]
