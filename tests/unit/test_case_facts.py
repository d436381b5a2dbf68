"""A live case's facts from its data: who sent the case back (回退) is read from ``returned.by``."""

from __future__ import annotations

from typing import Any

import pytest

from city.facts.model import case_facts

DATA = {"reported_at": "2026-11-02T01:00:00+00:00", "department": "350602-D05",
        "report": {"channel": "hotline", "subtype": "0601", "district": "350602"},
        "dispatched_at": "2026-11-02T01:20:00+00:00", "counters": {"returns": 1, "wrong_dispatches": 1}}


def test_the_department_that_returned_the_case_is_in_its_facts() -> None:
    returned = {"by": "350602-D02", "reason": "不属于本单位职责", "at": "2026-11-02T01:30:00+00:00"}
    facts = case_facts({**DATA, "returned": returned})
    assert facts is not None
    assert (facts.department, facts.returned_by, facts.counters["returns"]) == ("350602-D05", "350602-D02", 1)
    assert facts.as_dict()["returned_by"] == "350602-D02"


@pytest.mark.parametrize("returned", [None, "350602-D02", {"by": None}, {"by": 5}, {"by": ""}, {"reason": "x"}])
def test_no_returner_without_a_text_by(returned: Any) -> None:
    data = {**DATA, "returned": returned} if returned is not None else DATA
    facts = case_facts(data)
    assert facts is not None and facts.returned_by is None
