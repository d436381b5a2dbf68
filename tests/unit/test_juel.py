"""Camunda/Flowable JUEL conditions translated to the sandbox's Python: the text written, what it evaluates to
against case data in the sandbox, and the forms refused with what to write instead."""

from __future__ import annotations

from typing import Any

import pytest

from engine.bpmn.helpers import default_helpers
from engine.bpmn.juel import JuelError, is_juel, translate
from engine.bpmn.sandbox import SandboxedEnvironment, compile_sandboxed
from engine.domain.clock import FakeClock


@pytest.fixture(scope="module")
def env() -> SandboxedEnvironment:
    return SandboxedEnvironment(default_helpers(FakeClock()))


@pytest.mark.parametrize(("juel", "python"), [
    ("${amount > 1000}", "amount > 1000"),
    ("${approved}", "approved"),
    ("${!approved}", "not approved"),
    ("${status == 'open' && priority >= 2}", "status == 'open' and priority >= 2"),
    ("#{x eq 'a' or y ne 3}", "x == 'a' or y != 3"),
    ("${empty comment}", "comment in (None, '', [], {})"),
    ("${not empty x}", "x not in (None, '', [], {})"),
    ("${a lt 1 and b le 2 or c gt 3 and d ge 4}", "a < 1 and b <= 2 or c > 3 and d >= 4"),
    ("${order.customer.tier == \"gold\"}", "order.get('customer').get('tier') == 'gold'"),
    ("${x == null}", "x is None"),
    ("${null != x}", "x is not None"),
    ("${true}", "True"),
    ("${a < b == c < d}", "(a < b) == (c < d)"),  # JUEL does not chain comparisons
    ("${!a == b}", "(not a) == b"),  # ! binds tighter than == in JUEL
    ("${!(a == b)}", "not (a == b)"),
    ("${(a || b) && c}", "(a or b) and c"),
    ("${x > -1.5}", "x > -1.5"),
    ("  ${ approved ? 'yes' : 'no' }  ", "'yes' if approved else 'no'"),
    ("${s == 'it\\'s'}", "s == \"it's\""),
    # arithmetic, with JUEL's precedence: * / div % mod before + -, both before comparisons
    ("${amount * 2 > 100}", "amount * 2 > 100"),
    ("${a + b}", "a + b"),
    ("${a - b - c}", "a - b - c"),
    ("${a - (b - c)}", "a - (b - c)"),
    ("${a + b * c}", "a + b * c"),
    ("${(a + b) * c}", "(a + b) * c"),
    ("${total div 2 > 3}", "total / 2 > 3"),
    ("${a / b mod c}", "a / b % c"),
    ("${a % (b * c)}", "a % (b * c)"),
    ("${-amount > 3}", "-amount > 3"),
    ("${-(a + b) * 2}", "-(a + b) * 2"),
    ("${- -a}", "- -a"),
    ("${a - -1}", "a - -1"),
    ("${!a + 1 > 0}", "(not a) + 1 > 0"),
    ("${order.qty * order.price >= 1000 && !rush}", "order.get('qty') * order.get('price') >= 1000 and not rush"),
    ("${big ? a + 1 : a - 1}", "a + 1 if big else a - 1"),
])
def test_the_simple_forms_are_translated_to_python(juel: str, python: str) -> None:
    assert is_juel(juel)
    assert translate(juel) == python
    compile_sandboxed(python, "eval")  # what is translated is what the sandbox runs


@pytest.mark.parametrize(("juel", "data", "expected"), [
    ("${amount > 1000}", {"amount": 1500}, True),
    ("${amount > 1000}", {"amount": 1000}, False),
    ("${!approved}", {"approved": False}, True),
    ("${status == 'open' && priority >= 2}", {"status": "open", "priority": 2}, True),
    ("${status == 'open' && priority >= 2}", {"status": "closed", "priority": 5}, False),
    ("#{x eq 'a' or y ne 3}", {"x": "b", "y": 3}, False),
    ("#{x eq 'a' or y ne 3}", {"x": "b", "y": 4}, True),
    ("${empty comment}", {"comment": ""}, True),
    ("${empty comment}", {"comment": None}, True),
    ("${empty items}", {"items": []}, True),
    ("${empty count}", {"count": 0}, False),  # 0 is not empty in JUEL
    ("${not empty comment}", {"comment": "broken lamp"}, True),
    ("${order.tier == 'gold'}", {"order": {"tier": "gold"}}, True),
    ("${order.missing == null}", {"order": {}}, True),  # a missing map key is null, as in JUEL
    ("${a < b == c < d}", {"a": 1, "b": 2, "c": 3, "d": 4}, True),
    ("${!a == b}", {"a": True, "b": False}, True),
    ("${big ? 'large' : 'small'}", {"big": False}, "small"),
    ("${amount * 2 > 100}", {"amount": 51}, True),
    ("${amount * 2 > 100}", {"amount": 50}, False),
    ("${a + b * c}", {"a": 1, "b": 2, "c": 3}, 7),
    ("${(a + b) * c}", {"a": 1, "b": 2, "c": 3}, 9),
    ("${a - b - c}", {"a": 10, "b": 3, "c": 2}, 5),  # left-associative, as in JUEL
    ("${7 / 2}", {}, 3.5),  # JUEL's / and div divide as doubles; so does Python's /
    ("${7 div 2}", {}, 3.5),
    ("${7 % 3 == 1 and 7 mod 3 == 1}", {}, True),
    ("${-x + 1}", {"x": 4}, -3),
    ("${2 * -x}", {"x": 4}, -8),
])
def test_a_translation_evaluates_in_the_sandbox_as_juel_would(
        env: SandboxedEnvironment, juel: str, data: dict[str, Any], expected: Any) -> None:
    assert env.evaluate(translate(juel), data) == expected


@pytest.mark.parametrize(("juel", "words"), [
    ("${execution.getVariable('amount') > 1000}", "write the variable's name instead"),
    ("${invoiceService.isApproved(invoice)}", "compute the value in a script task"),
    ("${* 2 > 1000}", "has the operator '*' where a value was expected"),
    ("${amount + > 1000}", "has '>' where a value was expected"),
    ("${amount mod}", "ends where a value was expected"),
    ("Amount: ${amount}", "is not a JUEL expression"),
    ("${a} and ${b}", "composite expression"),
    ("${class == 'x'}", "cannot be a Python name"),
    ("${_secret}", "cannot be a Python name"),
    ("${execution}", "object of the Camunda/Flowable engine"),
    ("${a = 1}", "cannot assign"),
    ("${a ? b}", "'?' without its ':'"),
    ("${'open}", "never closed"),
    ("${amount >}", "ends where a value was expected"),
    ("${a instanceof b}", "instanceof"),
    ("${" + "(" * 60 + "a" + ")" * 60 + "}", "nested more than"),
])
def test_forms_outside_the_subset_are_refused_saying_what_to_write(juel: str, words: str) -> None:
    with pytest.raises(JuelError) as refused:
        translate(juel)
    assert words in str(refused.value)
    assert "0x" not in str(refused.value) and "Traceback" not in str(refused.value)


def test_python_is_not_taken_for_juel() -> None:
    assert not is_juel("amount > 1000") and not is_juel("") and not is_juel(None)
    assert is_juel(" #{x}") and is_juel("${x}")
