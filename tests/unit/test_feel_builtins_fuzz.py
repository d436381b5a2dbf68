"""Every built-in function, given any FEEL values in any number, answers a FEEL value or null — never raises
(hypothesis), as the spec's error semantics ask of a misused built-in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feel import temporal
from feel.builtins import BUILTINS
from feel.values import FeelFunction, Range, type_name

_TEMPORAL = [
    "2017-01-31",
    "-2017-12-31",
    "10:20:00@Europe/Paris",
    "23:59:59.999999999",
    "2018-12-10T10:30:00Z",
    "2020-03-29T02:30:00@Europe/Paris",
    "P1DT2H",
    "-P1Y2M",
    "PT0S",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**6), max_value=10**6),
    st.sampled_from([Decimal(0), Decimal(-1), Decimal("1E+400"), Decimal("2.5")]),
    st.text(max_size=8),
    st.sampled_from(["[1..10)", "(..2]", "\\p{L}+", "(a+)+", "[A-Z-[OI]]", "$1", "P1D", "2017-01-01", " ", ".", ","]),
    st.sampled_from(_TEMPORAL).map(temporal.parse_literal),
    st.sampled_from([Range(Decimal(1), Decimal(5), True, False), Range(None, Decimal(2), False, True)]),
    st.just(FeelFunction(("a", "b"), lambda args: args[0] is None, "test")),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["key", "value", "a", "b"]), inner, max_size=3),
    ),
    max_leaves=8,
)


def _is_feel_value(value: Any) -> bool:
    try:
        type_name(value)
    except ValueError:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(BUILTINS)), st.lists(values, max_size=4))
def test_no_built_in_raises_on_any_arguments(name: str, args: list[Any]) -> None:
    result = BUILTINS[name].call(args)
    assert _is_feel_value(result)
