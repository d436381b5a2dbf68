"""``gridcase rules``: evaluate a DMN decision table (FEEL) from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def rules() -> None:
    """DMN decision tables (FEEL)."""


@rules.command("eval")
@click.argument("dmn_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--decision", "decision_id", required=True, help="The decision to evaluate.")
def rules_eval(dmn_file: Path, decision_id: str) -> None:
    """Evaluate DECISION for each JSON object of inputs on stdin; one JSON result per line on stdout."""
    from engine.bpmn.dmn_file import parse_dmn
    from engine.domain.decision_table import evaluate_decision

    try:
        decisions, requirements = parse_dmn(dmn_file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(f"{dmn_file}: {exc}") from None
    if decision_id not in decisions:
        raise click.ClickException(f"{dmn_file}: no decision {decision_id!r} (has: {', '.join(sorted(decisions))})")
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            inputs = json.loads(line)
            if not isinstance(inputs, dict):
                raise ValueError("each line must be a JSON object of inputs")
            result: object = evaluate_decision(decisions, requirements, decision_id, inputs)
        except ValueError as exc:  # bad JSON, FEEL and decision errors: report and carry on
            result = {"error": f"line {number}: {exc}"}
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
