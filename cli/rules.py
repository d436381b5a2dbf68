"""``gridcase rules``: evaluate a DMN decision table (FEEL) from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def rules() -> None:
    """DMN decision tables (FEEL)."""


def _inputs(line: str) -> dict[str, object]:
    """One line's inputs: a JSON object holding nothing a decision cannot take; ValueError naming the problem."""
    from engine.domain.input_limits import value_problem

    try:
        inputs = json.loads(line)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    if not isinstance(inputs, dict):
        raise ValueError("each line must be a JSON object of inputs")
    problem = value_problem(inputs)
    if problem is not None:
        raise ValueError(f"{problem[0]} {problem[1]}")
    return inputs


@rules.command("eval")
@click.argument("dmn_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--decision", "decision_id", required=True, help="The decision to evaluate.")
def rules_eval(dmn_file: Path, decision_id: str) -> None:
    """Evaluate DECISION for each JSON object of inputs on stdin; one JSON result per line on stdout.

    A line that cannot be evaluated gets ``{"error": "line N: …"}`` and the others still run; the exit
    status is 1 when any line failed.
    """
    from engine.bpmn.dmn_file import parse_dmn
    from engine.domain.decision_table import evaluate_decision
    from engine.domain.input_limits import echo
    from engine.service.rules import EVALUATION_ERRORS

    try:
        decisions, requirements = parse_dmn(dmn_file.read_bytes())
    except EVALUATION_ERRORS as exc:
        raise click.ClickException(f"{dmn_file}: {exc}") from None
    if decision_id not in decisions:
        raise click.ClickException(f"{dmn_file}: no decision {decision_id!r} (has: {', '.join(sorted(decisions))})")
    failed = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            result: object = evaluate_decision(decisions, requirements, decision_id, _inputs(line))
            text = json.dumps(result, ensure_ascii=False, default=str)
        except EVALUATION_ERRORS as exc:  # bad JSON, FEEL and decision errors: report this line, carry on
            failed += 1
            text = json.dumps({"error": f"line {number}: {echo(str(exc))}"}, ensure_ascii=False)
        click.echo(text)
    if failed:
        click.echo(f"{failed} line(s) could not be evaluated", err=True)
        sys.exit(1)
