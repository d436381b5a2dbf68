"""``python -m bench.feel_core``: FEEL evaluations per second of a few typical expressions (prints JSON).

Each expression is compiled once (as a deployed decision's are) and evaluated repeatedly in the same context;
compilation is timed separately, uncached. ``gridcase bench feel`` can reuse ``run()``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import feel
from feel.parser import parse_expression
from feel.values import from_python

#: name → (expression, context); the names with spaces are given to the compiler as in a DMN model
EXPRESSIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "arithmetic": ("(Monthly Salary * 12 - Deductions) / 12", {"Monthly Salary": 8000, "Deductions": 1200.5}),
    "comparison_and_logic": ('age >= 18 and age < 65 and status in ("A", "B")', {"age": 40, "status": "B"}),
    "context_and_path": ("{rate: 0.05, total: amount * (1 + rate)}.total", {"amount": 1000}),
    "filter_and_sum": ("sum(items[price > 10].price)", {"items": [{"price": p} for p in range(20)]}),
    "for_loop": ("for x in 1..100 return x * x", {}),
    "user_function": ("{f: function(n) if n <= 1 then 1 else n * f(n - 1), r: f(20)}.r", {}),
    "string_functions": (
        'upper case(substring(name, 1, 3)) + "-" + string(string length(name))',
        {"name": "zhangzhou"},
    ),
}


def _rate(action: Any, seconds: float) -> tuple[int, float]:
    count, started = 0, time.perf_counter()
    while True:
        for _ in range(50):
            action()
        count += 50
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return count, elapsed


def run(seconds: float = 0.5) -> dict[str, Any]:
    """Evaluations per second for each expression and for a decision table's input entry (unary tests), and
    parses per second of the longest expression."""
    results: dict[str, Any] = {}
    for name, (text, raw) in EXPRESSIONS.items():
        context = from_python(raw)
        names = frozenset(key for key in context if " " in key)
        compiled = feel.compile_expression(text, names=names)
        compiled.evaluate(context)  # warm: built-ins loaded
        count, elapsed = _rate(lambda compiled=compiled, context=context: compiled.evaluate(context), seconds)
        results[name] = {"expression": text, "evaluations_per_s": round(count / elapsed)}
    tests = feel.compile_unary_tests('[18..65), > 80, "n/a"')
    age = from_python(70)
    count, elapsed = _rate(lambda: tests.matches(age, {}), seconds)
    results["unary_tests"] = {"expression": tests.text, "evaluations_per_s": round(count / elapsed)}
    longest = max((text for text, _ in EXPRESSIONS.values()), key=len)
    count, elapsed = _rate(lambda: parse_expression(longest), seconds)
    return {"feel_core": results, "parse_per_s": round(count / elapsed), "parsed": longest}


def main() -> None:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per expression")
    args = parser.parse_args()
    print(json.dumps(run(args.seconds), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
