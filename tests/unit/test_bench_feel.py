"""`gridcase bench feel --json`: before (old decision-table subset) and after (dmn) side by side, run briefly."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import cli


def test_bench_feel_prints_before_and_after_for_each_figure() -> None:
    result = CliRunner().invoke(cli, ["bench", "feel", "--json", "--seconds", "0.03", "--load-repeats", "1"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    table = figures["responsibility_table"]
    assert (table["rules"], table["hit_policy"], table["results_agree"]) == (1008, "UNIQUE", True)
    assert table["before_per_s"] > 0 and table["after_per_s"] > 0
    assert table["speedup"] > 0
    chain = figures["literal_chain"]
    assert chain["decisions"] == 5 and chain["messages"] == []
    assert chain["example"] == "Zhang wei: due 2026-12-05 (Saturday, 8 h, weekend)"  # Friday 16:30 + 8 h
    assert chain["before_per_s"] is None and chain["before"].startswith("unsupported: ")
    assert chain["after_per_s"] > 0 and chain["speedup"] is None
    load = figures["responsibility_load"]
    for key in ("before_read_ms", "before_first_evaluation_ms", "after_read_ms", "after_first_evaluation_ms"):
        assert load[key] > 0, key
    assert load["before_ready_ms"] == round(load["before_read_ms"] + load["before_first_evaluation_ms"], 2)
    assert load["repeats"] == 1
