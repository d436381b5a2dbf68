"""DMN decisions evaluated on a case's data with ``dmn`` (full FEEL), their results as case data (JSON).

Shared by business rule tasks (``engine.bpmn.feel_engine``), the designer's rule test panel and the command
line (``engine.service.rules``): no SpiffWorkflow, no database, so ``gridcase rules eval`` starts fast.

Case data is stored as JSON, so a FEEL value leaves as JSON: an integral number as ``int``, any other number
as ``float`` — ``float(Decimal("0.1"))`` is the float whose shortest text is ``0.1`` again, so what a rule
wrote is what the case shows; only digits beyond a float's 17 significant ones are lost, which no rule of a
case needs — dates, times and durations as their ISO 8601 text (FEEL's ``string()``; times keep nanoseconds),
ranges as FEEL text and functions as null.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from lxml import etree

import dmn
import feel
from dmn import model as m
from feel import values

_CACHE_SIZE = 256
_MODELS: OrderedDict[str, dmn.Model] = OrderedDict()
_LOCK = threading.Lock()
# per model, every word its text holds: case data under another name cannot be read by its FEEL (no FEEL
# expression enumerates its scope), so it is not converted at each evaluation
_WORDS: weakref.WeakKeyDictionary[dmn.Model, frozenset[str]] = weakref.WeakKeyDictionary()
_WORD = re.compile(r"[^\W\d]\w*")
_NAME = _WORD


class DecisionFailed(ValueError):
    """A decision that could not decide on the case's data; the message names the decision (and rule)."""


def load_model(dmn_text: str) -> dmn.Model:
    """The model of a DMN text, read once per text (keyed by its SHA-256; a model compiles each decision's FEEL
    once, on first use); DmnError when the text is not a DMN model."""
    digest = hashlib.sha256(dmn_text.encode("utf-8")).hexdigest()
    with _LOCK:
        if digest in _MODELS:
            _MODELS.move_to_end(digest)
            return _MODELS[digest]
    model = dmn.loads(_single_output_paths(dmn_text))
    with _LOCK:
        _MODELS[digest] = model
        _WORDS[model] = words_of(dmn_text)
        while len(_MODELS) > _CACHE_SIZE:
            _MODELS.popitem(last=False)
    return model


def _single_output_paths(dmn_text: str) -> str:
    """The text with ``decision.output`` read as ``decision`` where that decision is a table of one output.

    gridcase's earlier evaluator gave every table hit as a context, so its models (and the process versions
    deployed with them, which keep their DMN text) read a required single-output table as ``urgency.level``;
    in DMN that table's value is the output itself and the path would be null — every such case would be
    routed as if the decision had no answer. Rewriting the path keeps those versions deciding as they did."""
    if "decisionTable" not in dmn_text:
        return dmn_text
    try:
        root = etree.fromstring(dmn_text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return dmn_text  # dmn.loads reports it
    paths = {}
    for decision in root.iter("{*}decision"):
        tables = decision.findall("{*}decisionTable")
        outputs = tables[0].findall("{*}output") if tables else []
        if len(outputs) == 1 and outputs[0].get("name") and decision.get("name"):
            paths[f"{decision.get('name')}.{outputs[0].get('name')}"] = decision.get("name") or ""
    if not paths:
        return dmn_text
    pattern = re.compile(r"(?<![\w.\"])(" + "|".join(re.escape(path) for path in paths) + r")(?![\w\"])")
    changed = False
    for text in root.iter("{*}text"):
        if text.text and pattern.search(text.text):
            text.text = pattern.sub(lambda found: paths[found.group(1)], text.text)
            changed = True
    return etree.tostring(root, encoding="unicode") if changed else dmn_text


def decisions_of(model: dmn.Model) -> dict[str, m.Decision]:
    """The decisions of the model's files, by id (the first file's first)."""
    found: dict[str, m.Decision] = {}
    for defs in model.definitions:
        for element in defs.elements.values():
            if isinstance(element, m.Decision):
                found.setdefault(element.element_id, element)
    return found


def _read_by(model: dmn.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``data`` the model may read: names its text mentions (and names that are not one word)."""
    words = _WORDS.get(model)
    return dict(data) if words is None else readable_part(data, words)


def words_of(text: str) -> frozenset[str]:
    """Every word of a FEEL (or DMN) text: the only names of case data its expressions can read."""
    return frozenset(_WORD.findall(text))


def readable_part(data: Mapping[str, Any], words: frozenset[str]) -> dict[str, Any]:
    """The entries of ``data`` a text of ``words`` may read (names that are not one word are always kept: FEEL
    spells them with spaces or symbols), so only those are converted to FEEL values at each evaluation."""
    return {key: value for key, value in data.items()
            if not isinstance(key, str) or key in words or not _NAME.fullmatch(key)}


def _input_data(model: dmn.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """The model's input data found in ``data``, by name."""
    names = {element.name for defs in model.definitions for element in defs.elements.values()
             if isinstance(element, m.InputData)}
    return {name: data[name] for name in names if name in data}


def case_data(value: Any) -> Any:
    """A FEEL value as case data (JSON-ready; see the module docstring for why numbers become int or float)."""
    return values.to_json(value)


def _output_name(decision: m.Decision, output: m.TableOutput) -> str:
    # an unnamed, unlabelled single output takes the decision's name (as dmn-js writes such tables); the
    # reader calls it "output 1"
    return decision.name if output.name == "output 1" else output.name


def wrap_outputs(decision: m.Decision, value: Any) -> Any:
    """A decision table's value in the shape case data uses: a hit as ``{output name: value}`` even with one
    output, a multi-hit list as a list of those; aggregates and other decision kinds as they are."""
    table = decision.logic
    if not isinstance(table, m.DecisionTable) or len(table.outputs) != 1 or value is None:
        return value
    name = _output_name(decision, table.outputs[0])
    policy = table.hit_policy.strip().upper()
    aggregated = bool((table.aggregation or "").strip()) or policy in {"C+", "C<", "C>", "C#"}
    if policy[:1] in {"C", "R", "O"}:  # COLLECT, RULE ORDER, OUTPUT ORDER: a list
        return value if aggregated or not isinstance(value, list) else [{name: item} for item in value]
    return {name: value}


def evaluate_on_data(model: dmn.Model, decision: m.Decision, data: Mapping[str, Any], cpu_seconds: float,
                     max_result_bytes: int, inputs: Mapping[str, Any] | None = None,
                     memory_bytes: int | None = None) -> tuple[Any, list[str]]:
    """The decision's value on ``data`` as case data (see ``wrap_outputs``) and the ids of its matched rules.

    ``data`` are names every expression may read (a case's variables); ``inputs`` the input data by name
    (by default those of ``data`` the model has as input data). DecisionFailed, naming the decision, when it
    runs beyond ``cpu_seconds`` of CPU time or makes more than ``memory_bytes`` (feel.budget's meter), its result
    is longer than ``max_result_bytes`` of JSON, or its
    evaluation left messages: a case must not be routed on a decision that could not decide (a UNIQUE table
    with two hits, a value outside its type).
    """
    context = _read_by(model, data)  # dmn converts it (once): case data is JSON, which FEEL always holds
    try:
        with feel.budget.limit(cpu_seconds=cpu_seconds, max_bytes=memory_bytes):  # dmn's own limit nests inside
            result = model.evaluate(decision.element_id, _input_data(model, context) if inputs is None else inputs,
                                    context=context, cpu_seconds=cpu_seconds)
    except feel.FeelBudgetExceeded as exc:
        where = f"decision {decision.element_id!r}" + ("," if str(exc).startswith("rule ") else ":")
        raise DecisionFailed(f"{where} {exc}") from None
    except (feel.FeelError, ArithmeticError, RecursionError) as exc:
        raise DecisionFailed(f"decision {decision.element_id!r}: {exc}") from None
    if result.messages:
        raise DecisionFailed(f"decision {decision.element_id!r}: " + "; ".join(result.messages))
    value = case_data(wrap_outputs(decision, result.value))
    size = len(json.dumps(value, ensure_ascii=False))
    if size > max_result_bytes:
        raise DecisionFailed(f"decision {decision.element_id!r}: the output would be larger than "
                             f"{max_result_bytes:,} characters")
    return value, list(result.matched_rules)
