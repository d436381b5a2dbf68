"""``gridcase bench feel``: decisions per second, before (the old decision-table subset in ``engine/domain``) and
after (``dmn`` on ``feel``), side by side in one run.

(a) the city's responsibility table (rules/responsibility.dmn, 1008 rules, UNIQUE) on every subtype × district ×
urgency of the demo catalogue plus unknown subtypes; (b) a chain of five literal-expression decisions requiring
each other (bench/feel_chain.dmn: arithmetic, strings, dates) — the old subset reads decision tables only, so its
figure is null with the reason; (c) reading the responsibility table, and its first evaluation with every FEEL
cache cold (``dmn`` compiles all 1008 rules' cells then, the old code each cell when first reached).
Before and after alternate in short rounds, so that other load on the machine touches both alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import dmn
import feel
from city.catalog.reader import load_catalog
from dmn import model as m
from engine.bpmn.dmn_file import DmnFileError, parse_dmn
from engine.domain import feel as old_feel
from engine.domain.decision_table import evaluate_decision
from feel.values import to_python

ROOT = Path(__file__).resolve().parents[1]
RESPONSIBILITY = ROOT / "rules" / "responsibility.dmn"
CHAIN = Path(__file__).resolve().parent / "feel_chain.dmn"
CITY = ROOT / "config" / "city" / "zhangzhou"
ROUNDS = 3

CHAIN_INPUTS: list[dict[str, Any]] = [
    {"Reported at": "2026-12-04T16:30:00+08:00", "Subtype": "0601", "Area m2": 120, "Reporter name": "zhang wei"},
    {"Reported at": "2026-12-07T09:05:00+08:00", "Subtype": "0101", "Area m2": 10, "Reporter name": "li na"},
    {"Reported at": "2026-02-27T23:59:59+08:00", "Subtype": "0307", "Area m2": 75.5, "Reporter name": "wang fang"},
]


def responsibility_inputs() -> list[dict[str, Any]]:
    """Every report the demo catalogue can file (subtype × district × urgency), and a few no rule matches."""
    catalog = load_catalog(CITY)
    reports = [{"subtype": code, "district": district, "urgency": urgency}
               for code in sorted(catalog.subtypes) for district in sorted(catalog.districts)
               for urgency in ("urgent", "normal")]
    reports += [{"subtype": "9999", "district": "350602", "urgency": "normal"}] * max(1, len(reports) // 50)
    return [{"report": report} for report in reports]


def _rates(actions: dict[str, Callable[[int], None]], count: int, seconds: float) -> dict[str, float]:
    """Calls per second of each action (given the index of the input to use), alternating in rounds."""
    done = dict.fromkeys(actions, 0)
    spent = dict.fromkeys(actions, 0.0)
    for _ in range(ROUNDS):
        for name, action in actions.items():
            started = time.perf_counter()
            while time.perf_counter() - started < seconds / ROUNDS:
                for _ in range(10):
                    action(done[name] % count)
                    done[name] += 1
            spent[name] += time.perf_counter() - started
    return {name: done[name] / spent[name] for name in actions}


def _plain(value: Any) -> Any:
    """Old and new results in one shape (integral Decimals as int) to check they agree (every 25th input)."""
    if isinstance(value, Decimal):
        return to_python(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _table(seconds: float) -> dict[str, Any]:
    inputs = responsibility_inputs()
    decisions, requirements = parse_dmn(RESPONSIBILITY.read_bytes())
    model = dmn.load(RESPONSIBILITY)

    def before(index: int) -> Any:
        return evaluate_decision(decisions, requirements, "responsibility", inputs[index])

    def after(index: int) -> Any:  # the table reads `report` from the context, as a business rule task gives it
        return model.evaluate("responsibility", {}, context=inputs[index]).value

    agree = all(_plain(before(index)) == _plain(to_python(after(index))) for index in range(0, len(inputs), 25))
    rates = _rates({"before": before, "after": after}, len(inputs), seconds)
    return {"rules": len(decisions["responsibility"].rules), "hit_policy": "UNIQUE", "inputs": len(inputs),
            "results_agree": agree, "before_per_s": round(rates["before"]), "after_per_s": round(rates["after"]),
            "speedup": round(rates["after"] / rates["before"], 3)}


def _chain(seconds: float) -> dict[str, Any]:
    try:
        parse_dmn(CHAIN.read_bytes())
        unsupported = None
    except DmnFileError as exc:
        unsupported = str(exc)
    model = dmn.load(CHAIN)
    results = [model.evaluate("Notice", row) for row in CHAIN_INPUTS]
    problems = [message for result in results for message in result.messages]
    rates = _rates({"after": lambda index: model.evaluate("Notice", CHAIN_INPUTS[index]).value},
                   len(CHAIN_INPUTS), seconds / 2)
    decisions = sum(isinstance(element, m.Decision) for defs in model.definitions for element in defs.elements.values())
    return {"decisions": decisions, "evaluated": "Notice",
            "example": results[0].value, "messages": problems,
            "before_per_s": None, "before": f"unsupported: {unsupported}" if unsupported else "ran",
            "after_per_s": round(rates["after"]), "speedup": None}


def _cold_caches() -> None:
    feel.compile_expression.cache_clear()
    feel.compile_unary_tests.cache_clear()
    old_feel.parse_unary_tests.cache_clear()
    old_feel._compile.cache_clear()  # the old subset's parse cache, emptied for a cold figure


def _load_once() -> dict[str, float]:
    text = RESPONSIBILITY.read_bytes()
    first = {"report": {"subtype": "0601", "district": "350602", "urgency": "normal"}}
    _cold_caches()
    started = time.perf_counter()
    decisions, requirements = parse_dmn(text)
    read_old = time.perf_counter()
    evaluate_decision(decisions, requirements, "responsibility", first)
    first_old = time.perf_counter()
    _cold_caches()
    started_new = time.perf_counter()
    model = dmn.loads(text)
    read_new = time.perf_counter()
    model.evaluate("responsibility", {}, context=first)
    first_new = time.perf_counter()
    return {"before_read_ms": (read_old - started) * 1000, "before_first_evaluation_ms": (first_old - read_old) * 1000,
            "after_read_ms": (read_new - started_new) * 1000,
            "after_first_evaluation_ms": (first_new - read_new) * 1000}


def _load(repeats: int) -> dict[str, Any]:
    runs = [_load_once() for _ in range(repeats)]
    medians = {key: round(statistics.median(run[key] for run in runs), 2) for key in runs[0]}
    before = medians["before_read_ms"] + medians["before_first_evaluation_ms"]
    after = medians["after_read_ms"] + medians["after_first_evaluation_ms"]
    return {**medians, "before_ready_ms": round(before, 2), "after_ready_ms": round(after, 2),
            "speedup": round(before / after, 3), "repeats": repeats}


def run(seconds: float = 2.0, load_repeats: int = 5) -> dict[str, Any]:
    """The figures: ``seconds`` of evaluation per table figure (half for the chain), ``load_repeats`` cold loads."""
    return {"responsibility_table": _table(seconds), "literal_chain": _chain(seconds),
            "responsibility_load": _load(load_repeats), "seconds": seconds,
            "note": "speedup = after rate / before rate (or before time / after time): above 1, dmn is faster"}
