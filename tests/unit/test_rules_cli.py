"""`gridcase rules eval`: one JSON result per input line; a failed line reports and the rest go on."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t">
  <decision id="disposal_limit" name="Disposal limit">
    <decisionTable id="t" hitPolicy="UNIQUE">
      <input id="i1" label="Subtype">
        <inputExpression id="e1" typeRef="string"><text>subtype</text></inputExpression></input>
      <input id="i2" label="Urgency">
        <inputExpression id="e2" typeRef="string"><text>urgency</text></inputExpression></input>
      <output id="o1" name="limit_hours" typeRef="number"/>
      <rule id="exposed_garbage_urgent"><inputEntry id="a1"><text>"0601"</text></inputEntry>
        <inputEntry id="a2"><text>"urgent"</text></inputEntry><outputEntry id="a3"><text>2</text></outputEntry></rule>
      <rule id="exposed_garbage"><inputEntry id="b1"><text>"0601"</text></inputEntry>
        <inputEntry id="b2"><text>not("urgent")</text></inputEntry>
        <outputEntry id="b3"><text>4</text></outputEntry></rule>
      <rule id="manhole_any"><inputEntry id="c1"><text>"0103","0104"</text></inputEntry>
        <inputEntry id="c2"><text>-</text></inputEntry><outputEntry id="c3"><text>24</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_each_line_gets_its_result_and_errors_do_not_stop_the_stream(tmp_path: Path) -> None:
    dmn = tmp_path / "limits.dmn"
    dmn.write_text(DMN, "utf-8")
    lines = [{"subtype": "0601", "urgency": "urgent"}, {"subtype": "0601", "urgency": "normal"}, "not json",
             {"subtype": "0103", "urgency": "normal"}, {"subtype": "9999", "urgency": "normal"}]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    result = CliRunner().invoke(cli, ["rules", "eval", str(dmn), "--decision", "disposal_limit"], input=stdin)
    assert result.exit_code == 1, result.output  # every line ran; the status says one of them failed
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[:2] == [{"limit_hours": 2}, {"limit_hours": 4}]
    assert out[2]["error"].startswith("line 3:")
    assert out[3:] == [{"limit_hours": 24}, None]
    assert "1 line(s) could not be evaluated" in result.stderr


def test_a_clean_stream_exits_zero(tmp_path: Path) -> None:
    dmn = tmp_path / "limits.dmn"
    dmn.write_text(DMN, "utf-8")
    stdin = json.dumps({"subtype": "0601", "urgency": "urgent"}) + "\n"
    result = CliRunner().invoke(cli, ["rules", "eval", str(dmn), "--decision", "disposal_limit"], input=stdin)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"limit_hours": 2}


def test_an_unknown_decision_exits_non_zero_naming_the_known_ones(tmp_path: Path) -> None:
    dmn = tmp_path / "limits.dmn"
    dmn.write_text(DMN, "utf-8")
    result = CliRunner().invoke(cli, ["rules", "eval", str(dmn), "--decision", "nope"], input="{}\n")
    assert result.exit_code != 0
    assert "no decision 'nope' (has: disposal_limit)" in result.output
