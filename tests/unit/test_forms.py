"""Task forms (workflows/forms/*.json): they load, accept what the lifecycle's scripts accept, refuse what the
scripts refuse where a schema can say it, name the offending field, and agree with case_lifecycle.bpmn."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.domain.forms import FieldError, FormInvalid, FormSchema, form_fields, load_form

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = ROOT / "workflows" / "case_lifecycle.bpmn"
FORMS = ROOT / "workflows" / "forms"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
PHOTO = "a" * 64
TEXT = "路边垃圾已清运"


def form(bpmn_id: str) -> FormSchema:
    return load_form(FORMS / f"{bpmn_id}.json")


def user_task_forms() -> dict[str, str | None]:
    """Every user task in the lifecycle → its ``form`` extension property."""
    tree = etree.parse(str(LIFECYCLE))
    out: dict[str, str | None] = {}
    for task in tree.iterfind(".//bpmn:userTask", NS):
        values = task.xpath(".//spiffworkflow:property[@name='form']/@value", namespaces=NS)
        out[task.get("id")] = values[0] if len(values) == 1 else None
    return out


def next_steps(tree: Any, node_id: str) -> list[str]:
    """What follows ``node_id``, looking through joining gateways (one way out: they only merge flows, as
    dispatch_recorded_joined merges the dispatcher's 派遣 with the emergency rules' one before record_dispatch)."""
    found: list[str] = []
    for flow in tree.iterfind(f".//bpmn:sequenceFlow[@sourceRef='{node_id}']", NS):
        target = flow.get("targetRef")
        outgoing = tree.findall(f".//bpmn:sequenceFlow[@sourceRef='{target}']", NS)
        joins = tree.findall(f".//bpmn:exclusiveGateway[@id='{target}']", NS) and len(outgoing) == 1
        found += next_steps(tree, target) if joins else [target]
    return found


def scripts_after_user_tasks() -> dict[str, set[str]]:
    """Every user task → the fields the script right after it passes to ``reject(field, message)``."""
    tree = etree.parse(str(LIFECYCLE))
    out: dict[str, set[str]] = {}
    for task in tree.iterfind(".//bpmn:userTask", NS):
        fields: set[str] = set()
        for target in next_steps(tree, task.get("id")):
            for script in tree.iterfind(f".//bpmn:scriptTask[@id='{target}']/bpmn:script", NS):
                fields |= set(re.findall(r'reject\("([a-z_.]+)"', script.text or ""))
        out[task.get("id")] = fields
    return out


# ---- valid documents: what the tests, the demo and the docs submit (evidence as photo hashes) ----

VALID: list[tuple[str, dict[str, Any]]] = [
    ("verify_report", {"verification": {"found": True}}),
    ("verify_report", {"verification": {"found": False, "note": "现场核实", "evidence": [PHOTO, "0" * 64]}}),
    ("review_detection", {"detection_review": {"decision": "confirm"}}),
    ("review_detection", {"detection_review": {"decision": "false_positive", "note": "树影"}}),
    ("file_or_void", {"filing": {"decision": "file"}}),
    ("file_or_void", {"filing": {"decision": "file", "void_reason": None}}),  # the demo sends null
    ("file_or_void", {"filing": {"decision": "void", "void_reason": "duplicate", "note": "重复"}}),
    ("file_or_void", {"filing": {"decision": "void", "void_reason": "out_of_scope"}}),
    ("confirm_dispatch", {}),
    ("confirm_dispatch", {"dispatch": {}}),
    ("confirm_dispatch", {"dispatch": {"department": "350602-D03", "reason": "按属地与职责调整派遣"}}),
    ("confirm_dispatch", {"dispatch": {"department": "C01", "reason": "无匹配规则", "limit_amount": 2,
                                       "limit_unit": "working_days"}}),
    ("confirm_dispatch", {"dispatch": {"limit_amount": 0.5, "limit_unit": "natural_hours"}}),
    ("confirm_dispatch", {"dispatch": {"co_departments": ["350602-D05", "350602-D03"]}}),
    ("confirm_dispatch", {"dispatch": {"co_departments": ["350602-D05"], "co_limit_amount": 1,
                                       "co_limit_unit": "working_days"}}),
    ("dispose_problem", {"disposal": {"outcome": "disposed", "result": TEXT, "evidence": [PHOTO]}}),
    ("dispose_problem", {"disposal": {"outcome": "return", "reason": "非本单位职责"}}),
    ("dispose_problem", {"disposal": {"outcome": "extension", "reason": "需协调施工", "extension_amount": 24}}),
    ("dispose_problem", {"disposal": {"outcome": "extension", "reason": "需协调施工", "extension_amount": 0.5}}),
    ("dispose_problem", {"disposal": {"outcome": "suspension", "reason": "季节性问题，需挂账"}}),
    ("acknowledge_warning", {}),
    ("acknowledge_warning", {"note": "已阅"}),
    ("supervise_overdue", {"note": "请尽快处置"}),
    ("supervise_escalation", {}),
    ("review_extension", {"extension_review": {"approved": True}}),
    ("review_extension", {"extension_review": {"approved": True, "amount": 0, "note": "审批"}}),
    ("review_extension", {"extension_review": {"approved": False, "note": "理由不足"}}),
    ("review_suspension", {"suspension_review": {"approved": True, "note": "审批"}}),
    ("review_suspension", {"suspension_review": {"approved": False}}),
    ("review_return", {"return_review": {"approved": True}}),
    ("review_return", {"return_review": {"approved": False, "comment": "属本单位职责，请继续处置"}}),
    ("assist_disposal", {"assist": {"reply": "已配合修剪绿化带"}}),
    ("assist_disposal", {"assist": {"reply": "已配合", "evidence": [PHOTO]}}),
    ("resume_disposal", {"note": "已阅"}),
    ("check_on_site", {"check": {"passed": True}}),
    ("check_on_site", {"check": {"passed": False, "note": "仍有垃圾", "evidence": [PHOTO] * 20}}),
    *[("close_case", {"closing": {"close_type": t}}) for t in ("normal", "overdue", "error", "special")],
    ("close_case", {"closing": {"close_type": "normal", "note": "达到结案标准"}}),
]

# ---- documents the BPMN's scripts refuse: (task, document, the field the script's reject() names) ----
# A missing top-level object is refused by the form as that object ("verification": required); the script
# names the field inside it (verification.found).

CHOSEN = {"department": "350602-D03", "reason": "无匹配的责任规则"}

SCRIPT_REJECTS: list[tuple[str, dict[str, Any], str]] = [
    ("review_detection", {"detection_review": {"decision": "maybe"}}, "detection_review.decision"),
    ("review_detection", {"detection_review": {}}, "detection_review.decision"),
    ("verify_report", {}, "verification"),
    ("verify_report", {"verification": {"found": "yes"}}, "verification.found"),
    ("verify_report", {"verification": {"note": "x"}}, "verification.found"),
    ("file_or_void", {"filing": {"decision": "maybe"}}, "filing.decision"),
    ("file_or_void", {"filing": {}}, "filing.decision"),
    ("file_or_void", {"filing": {"decision": "void"}}, "filing.void_reason"),
    ("file_or_void", {"filing": {"decision": "void", "void_reason": None}}, "filing.void_reason"),
    ("file_or_void", {"filing": {"decision": "void", "void_reason": "boring"}}, "filing.void_reason"),
    # (a missing override reason is the process's to refuse: only it knows the suggested department)
    # (the time limit is checked when no responsibility rule matched: then the dispatcher chooses the department)
    ("confirm_dispatch", {"dispatch": {**CHOSEN, "limit_amount": 0, "limit_unit": "working_days"}},
     "dispatch.limit_amount"),
    ("confirm_dispatch", {"dispatch": {**CHOSEN, "limit_amount": True, "limit_unit": "working_days"}},
     "dispatch.limit_amount"),
    ("confirm_dispatch", {"dispatch": {**CHOSEN, "limit_amount": 3, "limit_unit": "weeks"}}, "dispatch.limit_unit"),
    ("confirm_dispatch", {"dispatch": {"co_departments": "350602-D05"}}, "dispatch.co_departments"),
    ("confirm_dispatch", {"dispatch": {"co_departments": ["350602-D05"] * 2}}, "dispatch.co_departments"),
    ("confirm_dispatch", {"dispatch": {"co_departments": ["350602-D05"], "co_limit_amount": 0}},
     "dispatch.co_limit_amount"),
    ("confirm_dispatch", {"dispatch": {"co_departments": ["350602-D05"], "co_limit_unit": "weeks"}},
     "dispatch.co_limit_unit"),
    ("dispose_problem", {}, "disposal"),
    ("dispose_problem", {"disposal": {"outcome": "fixed"}}, "disposal.outcome"),
    ("dispose_problem", {"disposal": {"result": TEXT}}, "disposal.outcome"),
    ("dispose_problem", {"disposal": {"outcome": "disposed"}}, "disposal.result"),
    ("dispose_problem", {"disposal": {"outcome": "disposed", "result": ""}}, "disposal.result"),
    ("dispose_problem", {"disposal": {"outcome": "return"}}, "disposal.reason"),
    ("dispose_problem", {"disposal": {"outcome": "suspension", "reason": ""}}, "disposal.reason"),
    ("dispose_problem", {"disposal": {"outcome": "extension", "reason": "施工"}}, "disposal.extension_amount"),
    ("dispose_problem", {"disposal": {"outcome": "extension", "reason": "施工", "extension_amount": 0}},
     "disposal.extension_amount"),
    ("dispose_problem", {"disposal": {"outcome": "extension", "reason": "施工", "extension_amount": -2}},
     "disposal.extension_amount"),
    ("dispose_problem", {"disposal": {"outcome": "extension", "reason": "施工", "extension_amount": "3"}},
     "disposal.extension_amount"),
    ("dispose_problem", {"disposal": {"outcome": "extension", "reason": "施工", "extension_amount": True}},
     "disposal.extension_amount"),
    ("review_extension", {"extension_review": {"approved": "yes"}}, "extension_review.approved"),
    ("review_extension", {"extension_review": {}}, "extension_review.approved"),
    ("review_extension", {"extension_review": {"approved": True, "amount": -1}}, "extension_review.amount"),
    ("review_extension", {"extension_review": {"approved": True, "amount": "2"}}, "extension_review.amount"),
    ("review_suspension", {"suspension_review": {"approved": 1}}, "suspension_review.approved"),
    ("review_suspension", {}, "suspension_review"),
    ("review_return", {"return_review": {}}, "return_review.approved"),
    ("review_return", {"return_review": {"approved": "no"}}, "return_review.approved"),
    ("review_return", {"return_review": {"approved": False}}, "return_review.comment"),
    ("review_return", {"return_review": {"approved": False, "comment": ""}}, "return_review.comment"),
    ("assist_disposal", {"assist": {}}, "assist.reply"),
    ("assist_disposal", {"assist": {"reply": ""}}, "assist.reply"),
    ("check_on_site", {"check": {"passed": None}}, "check.passed"),
    ("check_on_site", {"check": {"note": "ok"}}, "check.passed"),
    ("close_case", {"closing": {"close_type": "foo"}}, "closing.close_type"),
    ("close_case", {"closing": {}}, "closing.close_type"),
    ("close_case", {}, "closing"),
]

# reject() fields a schema cannot check: they depend on the case's data, not on the submitted document.
NOT_EXPRESSIBLE = {
    "dispatch.department": "required only when no responsibility rule matched (the form can't know)",
    "dispatch.reason": "required only when the department differs from the suggested one (the form can't know)",
}

# ---- other invalid documents the forms refuse (shape, size, unknown fields) ----

INVALID: list[tuple[str, Any, list[FieldError]]] = [
    ("verify_report", {"verification": {"found": True, "evidence": ["after.jpg"]}},
     [FieldError("verification.evidence.0", "must be a SHA-256 hash (64 lowercase hex digits)")]),
    ("verify_report", {"verification": {"found": True, "evidence": [PHOTO] * 21}},
     [FieldError("verification.evidence", "at most 20 items")]),
    ("verify_report", {"verification": {"found": True, "note": "x" * 2001}},
     [FieldError("verification.note", "must be at most 2000 characters")]),
    ("verify_report", {"verification": {"found": True, "photo": PHOTO}, "extra": 1},
     [FieldError("extra", "unknown field"), FieldError("verification.photo", "unknown field")]),
    ("verify_report", ["not", "an", "object"], [FieldError("", "must be an object")]),
    ("confirm_dispatch", {"dispatch": {"department": "", "reason": "x"}},
     [FieldError("dispatch.department", "must not be empty")]),
    ("acknowledge_warning", {"note": 3}, [FieldError("note", "must be text")]),
    ("supervise_overdue", {"note": "x", "verdict": "late"}, [FieldError("verdict", "unknown field")]),
    ("supervise_escalation", {"note": None}, [FieldError("note", "must be text")]),
    ("resume_disposal", {"resumed": True}, [FieldError("resumed", "unknown field")]),
    ("close_case", {"closing": {"close_type": "normal", "evaluation": {}}},
     [FieldError("closing.evaluation", "unknown field")]),
]


def walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every subschema with its path."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            if not key.startswith("x-"):
                found += walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += walk(value, f"{path}/{i}")
    return found


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.json")), ids=lambda p: p.stem)
def test_every_form_loads_and_keeps_the_conventions(path: Path) -> None:
    schema = load_form(path).schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] and schema["x-title-en"] and schema["type"] == "object"
    for where, node in walk(schema):
        if "properties" in node and node.get("type") == "object":
            assert node.get("additionalProperties") is False, where
            for key, sub in node["properties"].items():
                assert sub.get("title") and sub.get("x-title-en"), f"{where}/{key}"
        if node.get("type") == "string" and "enum" not in node and "title" in node:
            assert "maxLength" in node, where
        if node.get("x-widget") == "photos":
            assert node["maxItems"] == 20 and node["items"]["pattern"] == "^[0-9a-f]{64}$", where
        if "enum" in node and "title" in node:
            values = [v for v in node["enum"] if v is not None]
            assert len(node["x-enum-labels"]["zh"]) == len(node["x-enum-labels"]["en"]) == len(values), where


def test_every_user_task_has_a_form_and_every_form_a_task() -> None:
    forms = user_task_forms()
    assert len(forms) == 15
    assert {task: value for task, value in forms.items() if value != f"forms/{task}.json"} == {}
    for value in forms.values():
        assert (LIFECYCLE.parent / str(value)).is_file()
    named = {Path(str(v)).stem for model in LIFECYCLE.parent.glob("*.bpmn") if model != LIFECYCLE
             for v in etree.parse(str(model)).xpath("//spiffworkflow:property[@name='form']/@value", namespaces=NS)}
    assert {p.stem for p in FORMS.glob("*.json")} == set(forms) | named  # and the other models' (督办) forms


def test_every_task_has_valid_and_invalid_examples() -> None:
    tasks = set(user_task_forms())
    assert {v[0] for v in VALID} == tasks
    assert {r[0] for r in SCRIPT_REJECTS} | {i[0] for i in INVALID} == tasks


@pytest.mark.parametrize(("bpmn_id", "document"), VALID, ids=[v[0] for v in VALID])
def test_valid_documents_pass(bpmn_id: str, document: dict[str, Any]) -> None:
    assert form(bpmn_id).validate(document) == []


@pytest.mark.parametrize(("bpmn_id", "document", "field"), SCRIPT_REJECTS, ids=[r[2] for r in SCRIPT_REJECTS])
def test_what_the_script_rejects_the_form_rejects_on_the_same_field(bpmn_id: str, document: dict[str, Any],
                                                                     field: str) -> None:
    errors = form(bpmn_id).validate(document)
    assert field in {e.field for e in errors}, errors


def test_every_reject_after_a_user_task_is_covered() -> None:
    checked = scripts_after_user_tasks()
    after_tasks = {field for fields in checked.values() for field in fields}
    assert len(after_tasks) > 10
    covered = {field for _, _, field in SCRIPT_REJECTS}
    assert after_tasks - covered == set(NOT_EXPRESSIBLE)
    for bpmn_id, _, field in SCRIPT_REJECTS:  # rejected on the task whose script checks that field
        assert "." not in field or field in checked[bpmn_id], (bpmn_id, field)


@pytest.mark.parametrize(("bpmn_id", "document", "expected"), INVALID, ids=[i[0] for i in INVALID])
def test_invalid_documents_name_the_field(bpmn_id: str, document: Any, expected: list[FieldError]) -> None:
    assert form(bpmn_id).validate(document) == expected


def test_all_errors_are_reported_sorted_by_field() -> None:
    document = {"disposal": {"outcome": "extension", "extension_amount": 0, "evidence": ["x"], "photos": []},
                "note": "?"}
    assert form("dispose_problem").validate(document) == [
        FieldError("disposal.evidence.0", "must be a SHA-256 hash (64 lowercase hex digits)"),
        FieldError("disposal.extension_amount", "must be greater than 0"),
        FieldError("disposal.photos", "unknown field"),
        FieldError("disposal.reason", "required"),
        FieldError("note", "unknown field"),
    ]
    assert form("close_case").validate({"closing": {"close_type": "foo"}}) == [
        FieldError("closing.close_type", 'must be one of: "normal", "overdue", "error", "special"')]
    assert form("verify_report").validate({"verification": {"found": "yes"}}) == [
        FieldError("verification.found", "must be true or false")]


def test_form_fields_of_dispose_problem() -> None:
    fields = {f["path"]: f for f in form_fields(form("dispose_problem"))}
    assert list(fields) == ["disposal.outcome", "disposal.result", "disposal.evidence", "disposal.reason",
                            "disposal.extension_amount"]
    outcome = fields["disposal.outcome"]
    assert (outcome["type"], outcome["required"], outcome["title"]) == ("string", True, {"zh": "处置情况",
                                                                                         "en": "Outcome"})
    assert outcome["enum"] == ["disposed", "return", "extension", "suspension"]
    assert outcome["labels"] == {"zh": ["已处置", "回退", "申请延期", "申请挂账"],
                                 "en": ["Disposed", "Return to the dispatcher", "Request an extension",
                                        "Request a suspension"]}
    assert [fields[p]["widget"] for p in fields] == [None, "textarea", "photos", "textarea", None]
    assert [fields[p]["type"] for p in fields] == ["string", "string", "array", "string", "number"]
    assert not any(fields[p]["required"] for p in list(fields)[1:])
    assert fields["disposal.result"]["required_when"] == [{"field": "disposal.outcome", "values": ["disposed"]}]
    assert fields["disposal.reason"]["required_when"] == [
        {"field": "disposal.outcome", "values": ["return", "extension", "suspension"]}]
    assert fields["disposal.extension_amount"]["required_when"] == [
        {"field": "disposal.outcome", "values": ["extension"]}]
    assert fields["disposal.evidence"]["constraints"] == {"maxItems": 20, "items.pattern": "^[0-9a-f]{64}$"}
    assert fields["disposal.result"]["constraints"] == {"maxLength": 2000}


def test_form_fields_elsewhere() -> None:
    dispatch = {f["path"]: f for f in form_fields(form("confirm_dispatch"))}
    assert dispatch["dispatch.department"]["widget"] == "department"
    assert not dispatch["dispatch.reason"]["required"]
    assert dispatch["dispatch.limit_unit"]["labels"]["zh"] == ["工作时", "工作日", "自然时", "自然日"]
    void_reason = {f["path"]: f for f in form_fields(form("file_or_void"))}["filing.void_reason"]
    assert (void_reason["type"], void_reason["enum"]) == ("string", ["duplicate", "invalid", "out_of_scope"])
    assert [f["path"] for f in form_fields(form("supervise_overdue"))] == ["note"]


def test_load_form_from_text_or_mapping() -> None:
    text = '{"type": "object", "properties": {"ok": {"type": "boolean"}}, "additionalProperties": false}'
    assert load_form(text).validate({"ok": 1}) == [FieldError("ok", "must be true or false")]
    assert load_form({"type": "object", "required": ["a"]}).validate({}) == [FieldError("a", "required")]


@pytest.mark.parametrize(("content", "problem"), [
    ('{"type": "strnig"}', "invalid JSON Schema at type"),
    ('{"properties": {"a": {"maxLength": -1}}}', "invalid JSON Schema at properties/a/maxLength"),
    ('{"type": "object",', "not JSON (line 1"),
    ("[1, 2]", "must be a JSON object"),
    ('{"enum": ["a", "b"], "x-enum-labels": {"zh": ["甲"], "en": ["A", "B"]}}', "x-enum-labels at (root)"),
])
def test_a_broken_form_names_its_file(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "broken_task.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormInvalid) as broken:
        load_form(path)
    assert str(path) in str(broken.value) and problem in str(broken.value)


def test_a_missing_form_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FormInvalid, match=r"missing\.json: cannot read it"):
        load_form(tmp_path / "missing.json")
