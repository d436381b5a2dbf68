"""Run the DMN TCK (github.com/dmn-tck/tck) against gridcase's ``dmn`` and ``feel``.

    python bench/dmn_tck.py TCK_DIR [--level 2|3] [--case SUBSTRING] [--json]

TCK_DIR is the kit's checkout (or its TestCases folder, or one compliance-level folder): each test case folder
holds its model(s) ``*.dmn`` and test files ``*-test-*.xml`` (testCases.xsd: ``inputNode`` values, typed by
``xsi:type`` or else by the input data's typeRef; ``resultNode`` expected values, ``errorResult`` for an
expected error). Every model file of a folder is loaded together, so imports resolve by namespace. A test case
passes when every result node matches; it errors when its model cannot be loaded or evaluation raises.
Prints totals per level (passed, failed, errored, pass rate) and each test case's outcome.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: the project root, not bench/, comes first on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from lxml import etree

import dmn
from bench.dmn_tck_values import read_value, same, typed_input
from feel import values

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


@dataclass
class Outcome:
    """One test case's outcome: "passed", "failed" or "errored", with what differed."""

    level: int
    case: str
    test: str
    outcome: str
    detail: str = ""


def level_folders(root: Path, levels: list[int]) -> dict[int, Path]:
    """The compliance-level folders under ``root`` (the kit, its TestCases, or a level folder itself)."""
    found = {}
    for level in levels:
        for candidate in (root / "TestCases" / f"compliance-level-{level}", root / f"compliance-level-{level}"):
            if candidate.is_dir():
                found[level] = candidate
        if root.name == f"compliance-level-{level}":
            found[level] = root
    return found


def test_files(case: Path) -> list[Path]:
    """The test files of a case folder: its XML files whose root is ``testCases`` (named ``*-test-01.xml``,
    ``*-001-test.xml``… in the kit)."""
    found = []
    for path in sorted(case.glob("*.xml")):
        try:
            if _local(etree.parse(str(path), _PARSER).getroot()) == "testCases":
                found.append(path)
        except etree.XMLSyntaxError:
            continue
    return found


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [item for item in element if isinstance(item.tag, str) and _local(item) == name]


def run_case(level: int, case: Path) -> list[Outcome]:
    """Every test case of one kit folder."""
    outcomes: list[Outcome] = []
    files = sorted(case.rglob("*.dmn"))
    for path in test_files(case):
        root = etree.parse(str(path), _PARSER).getroot()
        model_name = next((item.text or "" for item in _children(root, "modelName")), None)
        model_file = _model_file(case, model_name)
        stem = path.stem.removeprefix(case.name).strip("-") or path.stem
        tests = _children(root, "testCase")
        try:
            model = dmn.load(files, main=model_file)
        except (dmn.DmnError, OSError) as exc:
            outcomes.extend(Outcome(level, case.name, f"{stem}:{test.get('id') or '?'}", "errored", f"load: {exc}")
                            for test in tests)
            continue
        for test in tests:
            outcomes.append(_run_test(model, level, case.name, f"{stem}:{test.get('id') or '?'}", test, model_file))
    return outcomes


def _model_file(case: Path, model_name: str | None) -> str | None:
    """The main model's file: modelName is a file name in the kit, in older test files the model's name; with
    one model file in the folder, that one. None: every model of the folder is loaded (all must read)."""
    if model_name and (case / model_name).exists():
        return model_name
    top = sorted(case.glob("*.dmn"))
    wanted = (model_name or "").removesuffix(".dmn").strip()
    for path in top:
        try:
            name = etree.parse(str(path), _PARSER).getroot().get("name") or ""
        except etree.XMLSyntaxError:
            continue
        if wanted and name.strip() == wanted:
            return path.name
    return top[0].name if len(top) == 1 else None


def _run_test(model: dmn.Model, level: int, case: str, test_id: str, test: etree._Element,
              model_file: str | None) -> Outcome:
    try:
        failures = _check(model, test, model_file)
    except Exception as exc:
        return Outcome(level, case, test_id, "errored", f"{type(exc).__name__}: {exc}"[:300])
    if failures:
        return Outcome(level, case, test_id, "failed", "; ".join(failures)[:500])
    return Outcome(level, case, test_id, "passed")


def _inputs(model: dmn.Model, test: etree._Element, model_file: str | None) -> dict[str, Any]:
    inputs = {}
    for node in _children(test, "inputNode"):
        name = node.get("name") or ""
        inputs[name] = typed_input(read_value(node), model.input_type(name, model=model_file))
    return inputs


def _check(model: dmn.Model, test: etree._Element, model_file: str | None) -> list[str]:
    inputs = _inputs(model, test, model_file)
    failures = []
    for node in _children(test, "resultNode"):
        name = node.get("name") or ""
        # the test case's type, else the result node's (some files type the node: type="decisionService")
        kind = test.get("type") or node.get("type") or "decision"
        expected_node = next(iter(_children(node, "expected") or _children(node, "computed")), None)
        expected = None if expected_node is None else read_value(expected_node)
        error_expected = (node.get("errorResult") or "").strip() == "true"
        if kind == "decisionService":
            service = test.get("invocableName") or name
            result = model.evaluate_service(service, inputs, model=model_file)
        elif kind == "bkm":
            result = model.evaluate_bkm(test.get("invocableName") or name, inputs, model=model_file)
        else:
            result = model.evaluate(name, inputs, model=model_file)
        # a service's result node is named after the service, or after one of its output decisions
        actual = result.outputs.get(name, result.value)
        if error_expected and actual is None:
            continue
        if not same(expected, actual):
            failures.append(f"{name}: expected {_show(expected)}, got {_show(actual)}"
                            + (f" ({'; '.join(result.messages)[:200]})" if result.messages else ""))
    return failures


def _show(value: Any) -> str:
    try:
        return json.dumps(values.to_json(value), ensure_ascii=False)[:120]
    except (TypeError, ValueError):
        return repr(value)[:120]


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    """Totals per level and overall: tests, passed, failed, errored, pass rate (%)."""
    levels: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        for key in (f"level {outcome.level}", "total"):
            totals = levels.setdefault(key, {"tests": 0, "passed": 0, "failed": 0, "errored": 0, "cases": set()})
            totals["tests"] += 1
            totals[outcome.outcome] += 1
            totals["cases"].add(f"{outcome.level}/{outcome.case}")
    for totals in levels.values():
        totals["cases"] = len(totals["cases"])
        totals["pass_rate"] = round(100 * totals["passed"] / totals["tests"], 1) if totals["tests"] else 0.0
    return levels


def main(argv: list[str] | None = None) -> int:
    """Command line: run the kit, print the totals (and outcomes) as text or JSON."""
    parser = argparse.ArgumentParser(description="Run the DMN TCK against gridcase's dmn/feel")
    parser.add_argument("tck_dir", type=Path)
    parser.add_argument("--level", type=int, choices=(2, 3), action="append", help="2 or 3 (default both)")
    parser.add_argument("--case", default="", help="only case folders whose name contains this")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    folders = level_folders(args.tck_dir, args.level or [2, 3])
    if not folders:
        print(f"no compliance-level folder under {args.tck_dir}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    for level, folder in sorted(folders.items()):
        for case in sorted(path for path in folder.iterdir() if path.is_dir() and args.case in path.name):
            outcomes.extend(run_case(level, case))
    report = {"totals": summarize(outcomes), "seconds": round(time.perf_counter() - started, 2),
              "outcomes": [asdict(outcome) for outcome in outcomes]}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        _print_text(report)
    return 0


def _print_text(report: dict[str, Any]) -> None:
    for outcome in report["outcomes"]:
        if outcome["outcome"] != "passed":
            print(f"{outcome['outcome']:8} {outcome['level']} {outcome['case']} {outcome['test']}: {outcome['detail']}")
    for key, totals in report["totals"].items():
        print(f"{key}: {totals['passed']}/{totals['tests']} passed ({totals['pass_rate']} %), "
              f"{totals['failed']} failed, {totals['errored']} errored, {totals['cases']} case folders")


if __name__ == "__main__":
    sys.exit(main())
