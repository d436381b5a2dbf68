"""The http connector without a network: the URL template, the call prepared from the properties, the result
mapping, the allow-list (setting and matching), and the designer's lint and the deploy of connector tasks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from designer.lint import lint_sources
from engine.bpmn.specs import parse_bundles
from engine.connectors import http
from engine.connectors.base import ConnectorSettings, Failed
from engine.connectors.registry import CONNECTORS, connector_named
from engine.domain.errors import ProcessInvalid

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
        ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>')
TAIL = ('<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/><bpmn:endEvent id="e"/>'
        '</bpmn:process></bpmn:definitions>')


def task(properties: dict[str, str], extra: str = "") -> dict[str, str]:
    props = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in properties.items())
    return {"m.bpmn": HEAD + f'<bpmn:serviceTask id="call"><bpmn:extensionElements><spiffworkflow:properties>{props}'
                             f'</spiffworkflow:properties>{extra}</bpmn:extensionElements></bpmn:serviceTask>' + TAIL}


def errors(sources: dict[str, str]) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.message) for p in lint_sources(sources) if p.severity == "error"]


def test_placeholders_are_filled_and_each_url_encoded() -> None:
    data = {"id": "a/b c", "q": "x&y=z#", "n": 7, "ok": True}
    assert http.render_url("https://api.example.org/v1/{id}?q={q}&n={n}&ok={ok}", data) == (
        "https://api.example.org/v1/a%2Fb%20c?q=x%26y%3Dz%23&n=7&ok=true")
    # a value cannot move the call to another host: its slashes, colons and @ are encoded
    assert http.render_url("http://{host}/x", {"host": "evil.example:80@a"}) == "http://evil.example%3A80%40a/x"


@pytest.mark.parametrize(("data", "words"), [({}, "no variable 'id'"), ({"id": None}, "NoneType"),
                                             ({"id": {"a": 1}}, "dict")])
def test_a_missing_or_structured_variable_is_refused_naming_it(data: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        http.render_url("http://h/{id}", data)


def test_the_call_is_prepared_from_the_properties() -> None:
    props = {"connector": "http", "httpUrl": "http://h/{id}", "httpMethod": "put", "httpBody": "dict(a=id)",
             "httpTimeout": "2.5"}
    call = http.prepare(props, {"id": "k"}, lambda text: {"evaluated": text})
    assert call == {"connector": "http", "method": "PUT", "url": "http://h/k", "body": {"evaluated": "dict(a=id)"},
                    "result": "http_response", "timeout": 2.5}
    assert "body" not in http.prepare({"httpUrl": "http://h/"}, {}, lambda text: None)
    with pytest.raises(ValueError, match=r"httpBody.*JSON"):
        http.prepare({**props, "httpBody": "x"}, {"id": "k"}, lambda text: {1, 2})


@pytest.mark.parametrize(("raw", "body"), [
    (b'{"a": [1, 2]}', {"a": [1, 2]}),
    ("就绪 plain".encode(), "就绪 plain"),
    (b"NaN", "NaN"),  # not a value a case keeps: text
    (b"", ""),
])
def test_the_answer_is_json_when_it_parses_else_text(raw: bytes, body: Any) -> None:
    assert http.response_value(201, raw) == {"status": 201, "body": body}


def test_a_long_answer_is_cut_to_64_kib_of_text() -> None:
    raw = json.dumps(["x" * 100] * 1000).encode()
    assert len(raw) > http.MAX_BODY
    value = http.response_value(200, raw[:http.MAX_BODY + 1])
    assert isinstance(value["body"], str) and len(value["body"].encode()) == http.MAX_BODY


@pytest.mark.parametrize(("url", "hosts", "ok"), [
    ("http://api.example.org/x", {"api.example.org"}, True),
    ("https://API.example.org:8443/x", {"api.example.org"}, True),  # a bare host: any port
    ("http://api.example.org:8080/x", {"api.example.org:80"}, False),
    ("http://api.example.org/x", {"api.example.org:80"}, True),  # the scheme's default port
    ("https://api.example.org/x", {"api.example.org:443"}, True),
    ("http://api.example.org.evil/x", {"api.example.org"}, False),
    ("http://user@127.0.0.1:9/x", {"127.0.0.1:9"}, True),
    ("ftp://api.example.org/x", {"api.example.org"}, False),
    ("file:///etc/passwd", {"api.example.org"}, False),
    ("http://[::1]:8080/x", {"[::1]:8080"}, True),
    ("http://api.example.org/x", set(), False),
])
def test_the_allow_list(url: str, hosts: set[str], ok: bool) -> None:
    if ok:
        http.allowed(url, frozenset(hosts))
    else:
        with pytest.raises(http.HostRefused, match=r"GRIDCASE_HTTP_CONNECTOR_HOSTS|http\(s\)"):
            http.allowed(url, frozenset(hosts))


def test_a_refused_host_is_a_failure_without_retries_and_no_connection() -> None:
    call = {"connector": "http", "method": "GET", "url": "http://169.254.169.254/latest", "result": "r",
            "timeout": 1.0}
    outcome = http.call(call, ConnectorSettings(frozenset({"api.example.org"})))
    assert isinstance(outcome, Failed) and not outcome.retry and "169.254.169.254:80" in outcome.message


@pytest.mark.parametrize("text", ["http://x", "a b", "x:0", "x:70000", "x/y"])
def test_a_bad_allow_list_entry_is_refused_naming_the_setting(text: str) -> None:
    with pytest.raises(ValueError, match="GRIDCASE_HTTP_CONNECTOR_HOSTS"):
        http.parse_allow_list(text)


def test_the_allow_list_setting_is_read_lower_case_and_trimmed() -> None:
    assert http.parse_allow_list(" API.example.org , 10.0.0.5:8080,,") == {"api.example.org", "10.0.0.5:8080"}
    assert http.parse_allow_list("") == frozenset()


def test_the_registry_names_each_connector_by_its_reserved_topic() -> None:
    assert {name: c.topic for name, c in CONNECTORS.items()} == {"http": "gridcase:http", "notify": "gridcase:notify"}
    with pytest.raises(ValueError, match="unknown connector 'mail': one of http, notify"):
        connector_named("mail")


def test_a_connector_task_needs_no_topic() -> None:
    sources = task({"connector": "http", "httpUrl": "https://api.example.org/{id}", "httpMethod": "POST",
                    "httpBody": "dict(id=id)", "retries": "5", "retryBackoff": "PT2M"})
    assert errors(sources) == []
    (bundle,) = parse_bundles(sources)
    assert '"operation_name":"gridcase:http"' in bundle.spec_json and '"retry_backoff_base":120000' in bundle.spec_json


@pytest.mark.parametrize(("properties", "words"), [
    ({"connector": "mail"}, "unknown connector 'mail'"),
    ({"connector": "notify"}, "notifyKind '' must be one of"),
    ({"connector": "notify", "notifyKind": "returned"}, 'needs the property "notifyTo"'),
    ({"connector": "http"}, 'needs the property "httpUrl"'),
    ({"connector": "http", "httpUrl": "ftp://h/"}, "http:// or https://"),
    ({"connector": "http", "httpUrl": "http://h/{a b}"}, "placeholders"),
    ({"connector": "http", "httpUrl": "http://h/", "httpMethod": "TRACE"}, "httpMethod 'TRACE'"),
    ({"connector": "http", "httpUrl": "http://h/", "httpBody": "1"}, "GET request sends no body"),
    ({"connector": "http", "httpUrl": "http://h/", "httpMethod": "POST", "httpBody": "x.__class__"}, "httpBody"),
    ({"connector": "http", "httpUrl": "http://h/", "httpResult": "a-b"}, "httpResult"),
    ({"connector": "http", "httpUrl": "http://h/", "httpTimeout": "0"}, "httpTimeout"),
    ({"topic": "t", "retries": "three"}, "retries 'three'"),
    ({"topic": "gridcase:http"}, "gridcase's own"),
])
def test_lint_and_deploy_refuse_a_bad_connector_task_naming_it(properties: dict[str, str], words: str) -> None:
    sources = task(properties)
    ((element, message),) = errors(sources)
    assert element == "call" and words in message
    with pytest.raises(ProcessInvalid, match="call"):
        parse_bundles(sources)


def test_camunda_retry_cycle_is_read_not_ignored() -> None:
    cycle = '<camunda:failedJobRetryTimeCycle>R2/PT10S</camunda:failedJobRetryTimeCycle>'
    sources = task({"topic": "t"}, cycle)
    assert [p.message for p in lint_sources(sources) if "camunda" in p.message] == []
    (bundle,) = parse_bundles(sources)
    assert '"retries":2' in bundle.spec_json and '"retry_backoff_base":10000' in bundle.spec_json
    bad = task({"topic": "t"}, cycle.replace("R2/PT10S", "R/PT10S"))
    ((element, message),) = errors(bad)
    assert element == "call" and "R<retries>/<duration>" in message


def test_a_malformed_allow_list_stops_the_command_line_naming_the_setting() -> None:
    from click.testing import CliRunner

    from cli.main import cli

    result = CliRunner().invoke(cli, ["scheduler"], env={"GRIDCASE_HTTP_CONNECTOR_HOSTS": "https://api.example.org"})
    assert result.exit_code == 1 and not isinstance(result.exception, ValueError)
    assert "GRIDCASE_HTTP_CONNECTOR_HOSTS: 'https://api.example.org' is not a host name or host:port" in result.output
