"""An index of a decision table's rules by one input column whose entries are mostly literals.

The city's responsibility table has 810 rules whose first column is a single string each (the problem's subtype);
testing every rule for every case cost most of an evaluation. A literal unary test (``"road damage"``, ``5``)
matches exactly the equal value of its own kind and never null, so for an input value the only rules that can match
are those whose entry in the indexed column is that literal, plus those whose entry is anything else (``-``, a
range, an expression…). The candidates are tested in full, in rule order, so the result is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

# A plain string without escapes, or a number: each is a unary test of equality with that one value.
_LITERAL = re.compile(r'\s*(?:"(?P<text>[^"\\]*)"|(?P<number>-?\d+(?:\.\d+)?))\s*')
_MIN_RULES = 16  # a smaller table is cheaper to scan than to index


def literal(entry: str) -> tuple[bool, Any]:
    """(True, value) when unary tests ``entry`` are one literal string or number, else (False, None)."""
    found = _LITERAL.fullmatch(entry)
    if found is None:
        return False, None
    return True, found["text"] if found["text"] is not None else Decimal(found["number"])


class RuleIndex:
    """Which rules can match, by the value of the table's most literal input column."""

    def __init__(self, column: int | None, by_value: dict[Any, list[int]], others: list[int], count: int) -> None:
        self.column, self.by_value, self.others, self.count = column, by_value, others, count

    @classmethod
    def build(cls, entries: Sequence[Sequence[str]]) -> RuleIndex:
        """Index rules (each a list of input entries' texts) by the column with the most literal entries."""
        count = len(entries)
        columns = len(entries[0]) if entries else 0
        if count < _MIN_RULES or columns == 0:
            return cls(None, {}, list(range(count)), count)
        literals = [[literal(rule[col]) for rule in entries] for col in range(columns)]
        best = max(range(columns), key=lambda col: sum(is_literal for is_literal, _ in literals[col]))
        if sum(is_literal for is_literal, _ in literals[best]) < count // 2:
            return cls(None, {}, list(range(count)), count)
        others = [index for index, (is_literal, _) in enumerate(literals[best]) if not is_literal]
        grouped: dict[Any, list[int]] = {}
        for index, (is_literal, value) in enumerate(literals[best]):
            if is_literal:
                grouped.setdefault(value, []).append(index)
        by_value = {value: sorted(indexes + others) for value, indexes in grouped.items()}
        return cls(best, by_value, others, count)

    def candidates(self, inputs: Sequence[Any]) -> Sequence[int]:
        """The rules to test for these input values, in rule order."""
        if self.column is None:
            return range(self.count)
        value = inputs[self.column]
        if value is None:
            return self.others  # a literal never matches null
        if type(value) is str or type(value) is Decimal:  # exactly: a boolean would hash like 1 and 0
            return self.by_value.get(value, self.others)
        return range(self.count)  # another kind (a list, a date…): test every rule as written
