"""The designer's tools under the script budget over HTTP: a hostile timer preview or rule test is a 422 naming the
budget (it froze the web process), and the settings' GRIDCASE_SCRIPT_CPU_SECONDS is the budget the app uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import Api, error_of, seeded_city


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_city("sqlite", tmp_path_factory)  # the budget is the same on every database


@pytest.fixture
def tight(city: str, tmp_path: Path) -> Iterator[Api]:
    client = Api(city, tmp_path, GRIDCASE_SCRIPT_CPU_SECONDS="0.3")
    yield client
    client.close()


@pytest.mark.parametrize(("expression", "message"), [
    ("sum(range(10**12))", "script budget exceeded: more than"),  # 0.3s of CPU, or the wall-clock kill
    ("10**10**7", "script budget exceeded: more than 65,536 bits in one integer"),  # stalled every request 6.7 s
    ("'x'*10**10", "script budget exceeded: more than 268,435,456 bytes of memory"),
])
def test_a_hostile_timer_preview_is_refused_naming_the_budget(tight: Api, expression: str, message: str) -> None:
    assert tight.deps.script_limits.cpu_seconds == 0.3
    refused = error_of(tight.post("/processes/timer-preview", "designer01",
                                  {"kind": "timeDuration", "expression": expression}), 422)
    assert message in refused["fields"]["expression"]
    fine = tight.post("/processes/timer-preview", "designer01", {"kind": "timeDuration", "expression": "'PT4H'"})
    assert fine.status_code == 200 and fine.json["value"] == "PT4H"


def test_a_rule_test_costlier_than_the_budget_is_refused_naming_decision_and_rule(tight: Api) -> None:
    rules = "".join(f'<rule id="r{i}"><inputEntry><text>big</text></inputEntry>'
                    '<outputEntry><text>"y"</text></outputEntry></rule>' for i in range(1_000))
    dmn = ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t">'
           '<decision id="slow" name="slow"><decisionTable hitPolicy="COLLECT"><input><inputExpression><text>a'
           f'</text></inputExpression></input><output name="o"/>{rules}</decisionTable></decision></definitions>')
    body = {"dmn": dmn, "decision": "slow", "inputs": {"a": -1, "big": list(range(10_000))}}
    refused = error_of(tight.post("/rules/evaluate", "designer01", body), 422)
    assert "decision 'slow', rule 'r" in refused["fields"]["inputs"]
    assert "the evaluation used more than its budget of 0.3 s of CPU time" in refused["fields"]["inputs"]
