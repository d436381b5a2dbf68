"""Role lists live in ``web.policy`` only: no other web module (or template) names a set of roles of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from engine.service.accounts import ROLES
from web import policy

WEB = Path(__file__).resolve().parents[2] / "web"
KNOWN = frozenset(ROLES)


def _role_names(nodes: list[ast.expr]) -> set[str]:
    return {n.value for n in nodes if isinstance(n, ast.Constant) and n.value in KNOWN}


def _role_collections(tree: ast.AST) -> list[tuple[int, set[str]]]:
    """Set literals, set()/frozenset() calls and ``….role in (…)`` tuples or lists that name roles."""
    found = []
    for node in ast.walk(tree):
        elements: list[ast.expr] = []
        if isinstance(node, ast.Set):
            elements = node.elts
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("set", "frozenset"):
            for arg in node.args:
                if isinstance(arg, ast.Set | ast.List | ast.Tuple):
                    elements += arg.elts
        elif (isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
              and isinstance(node.left, ast.Attribute) and node.left.attr == "role"):
            for right in node.comparators:
                if isinstance(right, ast.Set | ast.List | ast.Tuple):
                    elements += right.elts
        names = _role_names(elements)
        if names:
            found.append((getattr(node, "lineno", 0), names))
    return found


def test_no_web_module_but_the_policy_names_a_set_of_roles() -> None:
    offenders = []
    for path in sorted(WEB.rglob("*.py")):
        if path == WEB / "policy.py":
            continue
        for line, names in _role_collections(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(WEB.parent)}:{line} {sorted(names)}")
    assert not offenders, "ask web.policy instead:\n" + "\n".join(offenders)


def test_no_template_lists_roles() -> None:
    listed = re.compile(r"role\s+(not\s+)?in\s*[\(\[]")
    offenders = [str(p.relative_to(WEB.parent)) for p in sorted((WEB / "templates").rglob("*.html"))
                 if listed.search(p.read_text(encoding="utf-8"))]
    assert not offenders, "templates ask can(policy.…): " + ", ".join(offenders)


def test_the_scan_finds_what_it_is_for() -> None:
    source = ('A = {"admin"}\nB = frozenset({"auditor", "x"})\nC = frozenset(("collector",))\n'
              'if who.role in ("supervisor", "y"): pass\nif level in ("collector", "dispatcher"): pass\n')
    found = sorted(sorted(names) for _, names in _role_collections(ast.parse(source)))
    assert found == [["admin"], ["auditor"], ["auditor"], ["collector"], ["supervisor"]]


def test_every_capability_names_known_roles_and_auditors_never_write() -> None:
    capabilities = [v for v in vars(policy).values() if isinstance(v, policy.Capability)]
    assert len(capabilities) >= 16
    assert all(c.roles and c.roles <= KNOWN for c in capabilities)
    writes = (policy.DESIGN_PROCESSES, policy.CREATE_CASES, policy.ATTACH_EVIDENCE, policy.SEND_MESSAGES,
              policy.RECORD_DETECTIONS, policy.MANAGE_USERS)
    assert not any("auditor" in c for c in writes)
    assert "auditor" in policy.READ_PROCESS_MODELS and "auditor" in policy.READ_AUDIT
    assert policy.READ_ALL_KPIS.roles < policy.READ_KPIS.roles
    assert policy.DESIGN_PROCESSES.roles < policy.READ_PROCESS_MODELS.roles


def test_the_vision_worker_has_only_what_its_client_calls() -> None:
    """``vision/client.py`` sends ``video_detection``, uploads its snapshot, records detections and reads the cases
    it started (is the last one still open?): nothing else, least of all every case (issue 16)."""
    capabilities = {name for name, value in vars(policy).items()
                    if isinstance(value, policy.Capability) and "vision_worker" in value}
    assert capabilities == {"SEND_MESSAGES", "ATTACH_EVIDENCE", "RECORD_DETECTIONS", "READ_OWN_CASES"}
    assert policy.ONLY_MESSAGES["vision_worker"] == {"video_detection"}
    assert policy.READ_OWN_CASES.roles == {"vision_worker"}  # a scope of its own, given to no person
