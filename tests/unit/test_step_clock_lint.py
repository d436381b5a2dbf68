"""Lint of step limits: a process naming a stepLimitDecision no given DMN file defines, and stepLimit tasks in a
process that names no decision, are warned about (they would run without limits); the lifecycle lints clean."""

from __future__ import annotations

from pathlib import Path

from designer.lint import lint_sources
from engine.service.deploy import read_sources

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "workflows" / "fixtures" / "step_clock"


def _step_findings(sources: dict[str, str]) -> list[tuple[str | None, str, str]]:
    return [(p.element_id, p.severity, p.message) for p in lint_sources(sources)
            if "stepLimit" in p.message]


def test_a_decision_no_dmn_defines_and_steps_without_a_decision_are_warned() -> None:
    bpmn = (MODEL / "step_clock.bpmn").read_text("utf-8")
    found = _step_findings({"step_clock.bpmn": bpmn})
    assert ("step_clock_demo", "warning", "stepLimitDecision 'step_clock_limits' is not defined in the given DMN"
            " files: its steps get no time limit") in found
    assert [f[0] for f in found if "names no stepLimitDecision" in f[2]] == ["plain_verify"]
    with_dmn = _step_findings({"step_clock.bpmn": bpmn,
                               "step_clock_limits.dmn": (MODEL / "step_clock_limits.dmn").read_text("utf-8")})
    assert [f[0] for f in with_dmn] == ["plain_verify"]


def test_the_lifecycle_and_its_step_limits_lint_clean() -> None:
    assert _step_findings(read_sources([ROOT / "workflows", ROOT / "rules"])) == []
