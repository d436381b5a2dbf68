"""``gridcase rules``: evaluate a DMN decision, decision service or business knowledge model on JSON lines.

Evaluation is ``dmn`` itself (the engine's business rule tasks and the designer's rule panel use it too). This
module imports click, ``dmn``, ``feel`` and lxml only, never the web or database stack, so the command starts
in about a tenth of a second (``cli.main`` leaves the settings and logging setup out for ``rules``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

import dmn
from cli.rules_json import NotJson, dumps, read_inputs
from dmn import model as m

ECHO_CHARS = 200  # how much of an error message is repeated on a line (a message may echo the whole input)

#: the kinds of element a line can evaluate, in the order an id or name is looked up
KINDS: tuple[tuple[type, str], ...] = (
    (m.Decision, "decision"),
    (m.DecisionService, "decision service"),
    (m.BusinessKnowledgeModel, "business knowledge model"),
)

Evaluate = Callable[[Mapping[str, Any]], dmn.Result]


@click.group()
def rules() -> None:
    """DMN decisions (FEEL): evaluate them on JSON lines."""


def _echo(text: str) -> str:
    if len(text) > ECHO_CHARS:
        text = f"{text[:ECHO_CHARS]}… ({len(text)} characters)"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _load(path: Path) -> dmn.Model:
    """The model of a file, or of a folder's ``*.dmn`` files importing each other; a usage error naming the
    file and the reason when one cannot be read."""
    try:
        return dmn.load(path)
    except (dmn.DmnError, OSError) as exc:  # not XML, not DMN, an id used twice, a folder without .dmn files
        raise click.BadParameter(_echo(str(exc)), param_hint="'FILE'") from None


def _known(model: dmn.Model) -> str:
    """What a model can evaluate, for the message of an unknown name: ``id`` or ``id (name)`` per element."""
    known = []
    for defs in model.definitions:
        for element in defs.elements.values():
            if isinstance(element, m.Decision | m.DecisionService | m.BusinessKnowledgeModel):
                known.append(element.element_id if element.name in {"", element.element_id}
                             else f"{element.element_id} ({element.name})")
    return ", ".join(known) or "nothing to evaluate"


def _target(model: dmn.Model, id_or_name: str) -> tuple[str, Evaluate]:
    """The element's kind and how to evaluate it on one line's inputs; a usage error listing what there is."""
    for kind, label in KINDS:
        try:
            model.find(id_or_name, kind)
        except dmn.DmnError:
            continue
        if kind is m.Decision:
            # every input is also a name the decisions may read without declaring it as input data, as
            # Camunda evaluates decisions on a process's variables: the city's tables read `report.subtype`
            return label, lambda inputs: model.evaluate(id_or_name, inputs, context=inputs)
        if kind is m.DecisionService:
            return label, lambda inputs: model.evaluate_service(id_or_name, inputs)
        return label, lambda inputs: model.evaluate_bkm(id_or_name, inputs)
    raise click.BadParameter(f"no decision, decision service or business knowledge model {id_or_name!r} "
                             f"(has: {_echo(_known(model))})", param_hint="'--decision'")


def _line(evaluate: Evaluate, text: str, trace: bool) -> tuple[str, list[str]]:
    """One line's output and its messages; ValueError (and NotJson) when the line fails as a whole."""
    result = evaluate(read_inputs(text))
    messages = list(result.messages)
    if not trace:
        if result.value is None and messages:  # refused, or the inputs did not fit: say why instead of null
            raise ValueError("; ".join(messages))
        return dumps(result.value), messages
    traced: dict[str, Any] = {"result": result.value}
    matched = getattr(result, "matched_rules", None)  # the rules each decision table matched, when dmn says
    if matched is not None:
        traced["matched_rules"] = matched
    if result.outputs:
        traced["outputs"] = result.outputs
    traced["messages"] = messages
    return dumps(traced), []


def _run(evaluate: Evaluate, trace: bool) -> int:
    """Evaluate every line of stdin; the number of lines that failed."""
    failed = 0
    for number, text in enumerate(sys.stdin, start=1):
        if not text.strip():
            continue
        try:
            out, messages = _line(evaluate, text, trace)
        except (ValueError, NotJson, ArithmeticError, RecursionError) as exc:  # this line only: carry on
            failed += 1
            out, messages = dumps({"error": f"line {number}: {_echo(str(exc) or type(exc).__name__)}"}), []
        except Exception as exc:  # a fault of the evaluator on an odd input: reported, the stream goes on
            failed += 1
            out, messages = dumps({"error": f"line {number}: internal error: {type(exc).__name__}: "
                                            f"{_echo(str(exc))}"}), []
        click.echo(out)
        for message in messages:  # the value stands, but something in it was refused or null: say so
            click.echo(f"line {number}: {_echo(message)}", err=True)
    return failed


@rules.command("eval")
@click.argument("dmn_path", metavar="FILE", type=click.Path(exists=True, path_type=Path))
@click.option("--decision", "id_or_name", required=True, metavar="ID_OR_NAME",
              help="The decision, decision service or business knowledge model, by id or name.")
@click.option("--trace", is_flag=True,
              help='Print {"result", "matched_rules", "outputs", "messages"} per line instead of the value alone.')
def rules_eval(dmn_path: Path, id_or_name: str, trace: bool) -> None:
    """Evaluate ID_OR_NAME in FILE (a .dmn file, or a folder of them importing each other) for each JSON object
    of inputs on stdin; one JSON result per line on stdout.

    A decision takes its input data by name (and a decision's value given by name is taken as decided), and
    any input is a name its expressions may read undeclared, as a process's variables; a decision service
    takes its parameters, a business knowledge model its arguments. Numbers are exact (34
    digits), dates, times and durations ISO 8601 text. A line that cannot be evaluated gets
    ``{"error": "line N: …"}`` and the others still run; the exit status is then 1. An unreadable file or an
    unknown name stops before any line with status 2.
    """
    model = _load(dmn_path)
    _kind, evaluate = _target(model, id_or_name)
    failed = _run(evaluate, trace)
    if failed:
        click.echo(f"{failed} line(s) could not be evaluated", err=True)
        sys.exit(1)
