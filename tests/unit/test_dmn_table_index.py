"""The rule index of decision tables: the same rules match, in the same order, as testing every rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import dmn
from dmn.table_index import RuleIndex, literal

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("entry", "expected"), [
    ('"road damage"', (True, "road damage")), ("5", (True, Decimal(5))), (" -2.5 ", (True, Decimal("-2.5"))),
    ("-", (False, None)), ('"a", "b"', (False, None)), ("< 5", (False, None)), ('"say \\"hi\\""', (False, None)),
    ("[1..5]", (False, None)), ("not(\"a\")", (False, None)),
])
def test_only_a_single_plain_literal_is_indexed(entry: str, expected: tuple[bool, Any]) -> None:
    assert literal(entry) == expected


def _rules() -> list[list[str]]:
    subtypes = [f'"s{n}"' for n in range(20)]
    return [[subtype, "-"] for subtype in subtypes] + [["-", '"x"'], ['"s3", "s4"', "-"], ["5", "-"]]


def test_candidates_keep_rule_order_and_every_rule_that_could_match() -> None:
    index = RuleIndex.build(_rules())
    assert index.column == 0
    assert list(index.candidates(["s3", "y"])) == [3, 20, 21]  # its literal rule, then the non-literal ones
    assert list(index.candidates(["unknown", "x"])) == [20, 21]
    assert list(index.candidates([None, "x"])) == [20, 21]  # a literal never matches null
    assert list(index.candidates([Decimal("5.0"), "x"])) == [20, 21, 22]  # 5.0 = 5
    assert list(index.candidates([True, "x"])) == list(range(23))  # a boolean is not the number 1
    assert list(index.candidates([["s3"], "x"])) == list(range(23))  # another kind: every rule


def test_a_small_or_mostly_non_literal_table_is_scanned_whole() -> None:
    assert RuleIndex.build([['"a"'], ['"b"']]).column is None
    assert RuleIndex.build([["< 5"]] * 20 + [['"a"']] * 5).column is None


def test_the_city_responsibility_table_decides_as_a_scan_of_every_rule_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.decisions import responsibility_inputs

    inputs = responsibility_inputs()[::5]
    path = ROOT / "rules" / "responsibility.dmn"

    def run() -> list[tuple[Any, list[str]]]:
        model = dmn.load(path)
        results = [model.evaluate("responsibility", {}, context=given) for given in inputs]
        return [(r.value, list(r.matched_rules)) for r in results]

    indexed = run()
    monkeypatch.setattr(RuleIndex, "candidates", lambda self, values: range(self.count))
    assert run() == indexed
    assert sum(1 for value, _ in indexed if value is not None) > len(inputs) // 2  # most inputs find their rule
