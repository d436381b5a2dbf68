"""Scripts give the same data in every process and run: replay re-runs them elsewhere and compares."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.bpmn.budget import BoundedEvaluator
from engine.bpmn.determinism import stable_error_text
from engine.bpmn.helpers import default_helpers
from engine.bpmn.sandbox import GridcaseScriptEngine, SandboxedEnvironment, SandboxViolation
from engine.bpmn.specs import GridcaseParser
from engine.domain.clock import FakeClock
from engine.service.audit.replay import recording

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(clock: FakeClock) -> SandboxedEnvironment:
    return SandboxedEnvironment(default_helpers(clock))


@pytest.mark.parametrize(("script", "name"), [
    ("out = hash('gridcase')", "hash"),  # salted per process: replay got another number
    ("out = id(tags)", "id"),
])
def test_builtins_that_differ_between_runs_are_refused_by_name(env: SandboxedEnvironment, script: str,
                                                                name: str) -> None:
    with pytest.raises(SandboxViolation, match=rf"^Refused by the sandbox: {name}\(\) "):
        env.execute(script, {"tags": []})


@pytest.mark.parametrize("script", [
    "try:\n    x = 1 / 0\nexcept Exception as e:\n    out = str(e.with_traceback)",  # the reported one
    "out = str(now)",
    "out = repr(now)",
    "out = f'{now}'",
    "out = f'{now!r}'",
    "out = '%s' % (now,)",
    "out = '%(f)s' % {'f': now}",
    "out = str([1, now])",
    "out = list(map(str, [now]))",
    "out = list(map(repr, [now]))",
    "print(now)\nout = printed",
    "out = str(reversed(tags))",
    "out = str(x for x in tags)",
])
def test_the_text_of_a_function_method_or_iterator_is_refused(env: SandboxedEnvironment, script: str) -> None:
    data: dict[str, Any] = {"tags": ["a"]}
    with pytest.raises(SandboxViolation, match="its text holds a memory address, which differs from run to run"):
        env.execute(script, data)
    assert "out" not in data


def test_text_that_is_the_same_every_run_is_still_fine(env: SandboxedEnvironment) -> None:
    data: dict[str, Any] = {"tags": ["a"], "n": 3}
    env.execute("a = str(n) + repr(tags) + f'{n:>3}' + '%d-%s' % (n, tags)\nb = str(math.sqrt)\nc = repr(math)\n"
                "d = str(ValueError('bad'))\ne = str(len)\nf = str(str) + str({'k': (1, 2.5, None)}.items())\n"
                "g = isinstance(n, str) or isinstance('x', (str, int))\nh = str() + str.upper('x')\nprint(n)\n"
                "i = printed", data)
    assert data == {"tags": ["a"], "n": 3, "a": "3['a']  33-['a']", "b": "<built-in function sqrt>",
                    "c": "<module 'math'>", "d": "bad", "e": "<built-in function len>",
                    "f": "<class 'str'>dict_items([('k', (1, 2.5, None))])", "g": True, "h": "X", "i": "3\n"}


def test_error_messages_that_quote_an_object_lose_its_address(env: SandboxedEnvironment) -> None:
    data: dict[str, Any] = {}
    env.execute("try:\n    [1].index(now)\nexcept ValueError as e:\n    a = str(e)\n    b = e.args[0]", data)
    assert data["a"] == data["b"]
    assert data["a"].endswith("now> is not in list") and "0x" not in data["a"]
    assert stable_error_text("score: <built-in method f of list object at 0x7f3a2c>") == \
        "score: <built-in method f of list object>"


def test_the_host_clock_is_refused(env: SandboxedEnvironment) -> None:
    with pytest.raises(SandboxViolation, match="reads the host's clock; use now"):
        env.evaluate("parse_datetime('2026-01-01').now()", {})
    with pytest.raises(SandboxViolation, match="reads the host's clock"):
        env.evaluate("parse_datetime('2026-01-01').today()", {})
    assert env.evaluate("now().isoformat()", {}) == "2026-11-02T00:30:00+00:00"  # the case's clock


def test_an_expression_that_gives_a_function_is_refused(env: SandboxedEnvironment) -> None:
    with pytest.raises(SandboxViolation, match="the expression gives a function value"):
        env.evaluate("now", {})  # a candidate group "=now" would have been its address


@pytest.mark.parametrize(("script", "where"), [
    ("out = float('nan')", "out to nan"),
    ("out = [1, float('inf')]", r"out\[1\] to inf"),
    ("out = {'a': {'b': -math.inf}}", r"out\['a'\]\['b'\] to -inf"),
])
def test_nan_and_infinity_are_refused_as_task_data(env: SandboxedEnvironment, script: str, where: str) -> None:
    data: dict[str, Any] = {}
    with pytest.raises(ValueError, match=rf"^The script sets {where}: task data holds finite JSON numbers only"):
        env.execute(script, data)
    assert data == {}


def test_nan_from_a_script_task_fails_naming_the_element(clock: FakeClock) -> None:
    parser = GridcaseParser()
    parser.add_bpmn_str(b'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
                        b'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
                        b'<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
                        b'<bpmn:scriptTask id="score"><bpmn:script>ratio = 0.0 * float("inf")</bpmn:script>'
                        b'</bpmn:scriptTask><bpmn:endEvent id="e"/>'
                        b'<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="score"/>'
                        b'<bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="e"/></bpmn:process>'
                        b'</bpmn:definitions>', "p.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("p"), script_engine=GridcaseScriptEngine(clock))
    with pytest.raises(WorkflowTaskException, match="ratio to nan") as failed:
        workflow.do_engine_steps()
    assert failed.value.task.task_spec.bpmn_id == "score"


SET_SCRIPT = "out = list({" + ", ".join(f"'w{i}'" for i in range(24)) + "})"
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from engine.bpmn.helpers import default_helpers
from engine.bpmn.sandbox import SandboxedEnvironment
from engine.domain.clock import FakeClock
data = {}
SandboxedEnvironment(default_helpers(FakeClock())).execute(sys.argv[2], data)
print(json.dumps(data["out"]))
"""


def test_a_set_iterates_in_the_same_order_in_every_process(env: SandboxedEnvironment) -> None:
    """Sets of strings iterate in an order salted per process; code that builds one runs in the budget worker,
    whose salt is fixed. Before, two processes gave two orders, and replay in another process diverged."""
    orders = []
    for seed in ("1", "2", "3"):
        child = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), SET_SCRIPT], capture_output=True, text=True,
                               env={**os.environ, "PYTHONHASHSEED": seed}, check=True, timeout=120)
        orders.append(json.loads(child.stdout))
    data: dict[str, Any] = {}
    env.execute(SET_SCRIPT, data)
    assert orders[0] == orders[1] == orders[2] == data["out"]
    assert sorted(data["out"]) == sorted(f"w{i}" for i in range(24))


def test_code_that_builds_sets_never_runs_in_process(env: SandboxedEnvironment) -> None:
    bounded: BoundedEvaluator = env.bounded
    for source, mode in [("{a, b}", "eval"), ("set(tags)", "eval"), ("frozenset(tags)", "eval"),
                         ("d.keys() - e.keys()", "eval"), ("out = d.items() | e.items()", "exec")]:
        assert not bounded.plan(source, mode).inline, source  # type: ignore[arg-type]
    assert bounded.plan("a - b", "eval").inline


def test_replay_records_each_helper_answer_once(clock: FakeClock) -> None:
    """A script that outgrows the in-process allowance runs again in the worker and asks its helpers again."""
    answers: list[list[Any]] = []
    calls: list[str] = []

    def locate(lon: float, lat: float) -> dict[str, str]:
        calls.append("locate")
        return {"grid": "g1"}

    env = SandboxedEnvironment({**default_helpers(clock), **recording({"locate": locate}, answers)})
    data: dict[str, Any] = {}
    env.execute("where = locate(1.0, 2.0)\npad = len('x' * 2_000_000)", data)  # 2 MB: beyond inline, re-run
    assert data == {"where": {"grid": "g1"}, "pad": 2_000_000}
    assert calls == ["locate", "locate"]
    assert answers == [["locate", "[[1.0,2.0],{}]", {"grid": "g1"}]]
