"""The properties panel edits what the engine runs beyond people's tasks, in a real browser (Debian's Chromium): a
designer gives a service task its topic and retries, an error boundary event its error code, a signal end event its
signal, a timer start event a cycle (previewed) and a process its starter groups, without touching XML; validates,
deploys, and the deployed version's XML carries every value; the start page lists the process to its starters only."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from browser_support import PASSWORD, sign_in
from lxml import etree

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "designer" / "street_lights.bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
CYCLE = "R/2027-01-01T08:00:00+08:00/P1M"


def _get(base: str, path: str, token: str) -> Any:
    request = urllib.request.Request(f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _token(base: str, user: str) -> str:
    request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": user, "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["token"])


def _edit(page: Any, element_id: str, prop: str, value: str) -> None:
    """Select the element and type ``value`` into the panel's field ``prop`` (committed on leaving it)."""
    page.evaluate("id => window.gridcaseDesigner.focus(id)", element_id)
    field = page.locator(f'#properties [data-prop="{prop}"]')
    field.fill(value)
    field.press("Tab")


def _props(element: Any) -> dict[str, str]:
    found = element.xpath("./bpmn:extensionElements/spiff:properties/spiff:property", namespaces=NS)
    return {p.get("name"): p.get("value") for p in found}


def _design(page: Any) -> None:
    """Everything the engine needs, set in the panel."""
    _edit(page, "call_contractor", "topic", "street-lights")
    _edit(page, "call_contractor", "retries", "5")
    _edit(page, "call_contractor", "retryBackoff", "PT10M")
    page.select_option('#properties select[data-prop="connector"]', "http")  # the http call's fields …
    assert page.locator('#properties [data-prop="httpUrl"]').count() == 1
    assert page.locator('#properties [data-prop="topic"]').count() == 0  # … and no topic: the scheduler calls it
    page.select_option('#properties select[data-prop="connector"]', "")
    assert page.locator('#properties [data-prop="topic"]').input_value() == "street-lights"
    _edit(page, "contractor_refused", "error", "ContractorRefused")
    _edit(page, "contractor_refused", "errorCode", "CONTRACTOR_REFUSED")
    _edit(page, "lights_out_alarm", "signal", "lights_out")
    page.evaluate("() => window.gridcaseDesigner.focus('first_of_month')")
    page.select_option('#properties select[data-prop="timerKind"]', "timeCycle")
    _edit(page, "first_of_month", "timer", CYCLE)
    page.wait_for_function("() => (document.querySelector('#properties .timer-preview.ok') || {}).textContent"
                           " && document.querySelector('#properties .timer-preview').textContent.includes('∞')")
    assert "2027-01-01T00:00:00+00:00" in page.inner_text("#properties .timer-preview")  # 08:00 in Beijing
    _edit(page, "repair_pool", "candidateStarterGroups", "shift_lead")  # the participant: its process


def test_a_designer_sets_what_the_engine_runs_and_deploys_it(browser: Any, city_server: str) -> None:
    page = sign_in(browser, city_server, "designer01")
    page.on("dialog", lambda dialog: dialog.accept())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{city_server}/designer")
    page.wait_for_selector("#source-files a")
    page.evaluate("xml => window.gridcaseDesigner.open('street_lights.bpmn', xml)", FIXTURE.read_text("utf-8"))
    page.wait_for_selector("#canvas[data-ready=true]", timeout=20000)
    assert errors == []
    page.click("#validate")  # as drawn: no topic, no signal, no timer
    page.locator('#problems li.problem.error[data-element="call_contractor"]').wait_for()
    for element in ("lights_out_alarm", "first_of_month"):
        assert page.locator(f'#problems li.problem.error[data-element="{element}"]').count() == 1, element
    _design(page)
    page.click("#validate")
    page.wait_for_selector("#designer-status.ok")
    page.fill("#deploy-comment", "路灯抢修")
    page.click("#deploy")
    page.wait_for_function("() => document.getElementById('designer-status').textContent"
                           ".includes('street_light_repair v1')")
    assert errors == [], errors  # the panel threw nothing on the way

    token = _token(city_server, "designer01")
    sources = _get(city_server, "/processes/street_light_repair/versions/1", token)["sources"]
    root = etree.fromstring(sources["street_lights.bpmn"].encode("utf-8"))
    (task,) = root.xpath("//bpmn:serviceTask[@id='call_contractor']", namespaces=NS)
    assert _props(task) == {"topic": "street-lights", "retries": "5", "retryBackoff": "PT10M"}
    (caught,) = root.xpath("//bpmn:boundaryEvent[@id='contractor_refused']/bpmn:errorEventDefinition", namespaces=NS)
    (error,) = root.xpath(f"//bpmn:error[@id='{caught.get('errorRef')}']", namespaces=NS)
    assert (error.get("name"), error.get("errorCode")) == ("ContractorRefused", "CONTRACTOR_REFUSED")
    (thrown,) = root.xpath("//bpmn:endEvent[@id='lights_out_alarm']/bpmn:signalEventDefinition", namespaces=NS)
    assert root.xpath(f"//bpmn:signal[@id='{thrown.get('signalRef')}']/@name", namespaces=NS) == ["lights_out"]
    assert root.xpath("//bpmn:startEvent[@id='first_of_month']//bpmn:timeCycle/text()", namespaces=NS) == [CYCLE]
    (process,) = root.xpath("//bpmn:process[@id='street_light_repair']", namespaces=NS)
    assert _props(process) == {"candidateStarterGroups": "shift_lead"}
    listed = {p["process_id"]: p for p in _get(city_server, "/processes", token)["processes"]}
    assert listed["street_light_repair"]["starter_groups"] == ["shift_lead"]
    assert listed["monthly_light_check"]["next_start_at"]  # the scheduler's next start of the cycle

    for user, shown in (("shiftlead01", 1), ("seat01", 0)):
        start = sign_in(browser, city_server, user)
        start.goto(f"{city_server}/start")
        start.wait_for_load_state("networkidle")
        assert start.locator("#start-street_light_repair").count() == shown, user
        assert start.locator("#start-monthly_light_check").count() == 0  # a timer starts it, nobody by hand


CAMUNDA_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="lamp_audit" isExecutable="true" camunda:candidateStarterGroups="seat_operator">
    <bpmn:startEvent id="s"/>
    <bpmn:serviceTask id="fetch" camunda:type="external" camunda:topic="lamp-inventory"/>
    <bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition/></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fetch"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fetch" targetRef="raise"/>
    <bpmn:sequenceFlow id="f3" sourceRef="raise" targetRef="e"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dd"><bpmndi:BPMNPlane id="pl" bpmnElement="lamp_audit">
    <bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="80" y="80" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="fetch_di" bpmnElement="fetch"><dc:Bounds x="160" y="58" width="100" height="80"/>
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="raise_di" bpmnElement="raise"><dc:Bounds x="300" y="80" width="36" height="36"/>
    </bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="e_di" bpmnElement="e"><dc:Bounds x="380" y="80" width="36" height="36"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def test_a_camunda_model_keeps_its_attributes_and_an_escalation_gets_its_code(browser: Any, city_server: str) -> None:
    page = sign_in(browser, city_server, "designer01")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{city_server}/designer")
    page.wait_for_selector("#source-files a")
    page.evaluate("xml => window.gridcaseDesigner.open('lamp_audit.bpmn', xml)", CAMUNDA_MODEL)
    page.wait_for_selector("#canvas[data-ready=true]", timeout=20000)
    starters = page.locator('#properties [data-prop="candidateStarterGroups"]')  # nothing selected: the process
    assert starters.input_value() == "seat_operator"
    starters.fill("seat_operator, shift_lead")
    starters.press("Tab")
    _edit(page, "fetch", "topic", "lamp-audit")  # camunda:topic is the one edited, no second topic added
    _edit(page, "raise", "escalation", "LampsMissing")
    _edit(page, "raise", "escalationCode", "LAMPS_MISSING")
    xml = page.evaluate("() => window.gridcaseDesigner.modeler().saveXML().then(r => r.xml)")
    root = etree.fromstring(xml.encode("utf-8"))
    camunda = "{http://camunda.org/schema/1.0/bpmn}"
    (process,) = root.xpath("//bpmn:process", namespaces=NS)
    assert process.get(f"{camunda}candidateStarterGroups") == "seat_operator, shift_lead" and _props(process) == {}
    (task,) = root.xpath("//bpmn:serviceTask", namespaces=NS)
    assert task.get(f"{camunda}topic") == "lamp-audit" and _props(task) == {}
    (escalation,) = root.xpath("//bpmn:escalation", namespaces=NS)
    assert (escalation.get("name"), escalation.get("escalationCode")) == ("LampsMissing", "LAMPS_MISSING")
    assert root.xpath("//bpmn:escalationEventDefinition/@escalationRef", namespaces=NS) == [escalation.get("id")]
