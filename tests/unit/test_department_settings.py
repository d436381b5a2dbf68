"""A city package's department settings files refused naming the key — the same checks for each extra: assessment
(``assessment.json``, 考评 managing departments) and transport supervision (``transport.json``, 渣土监管)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from city.package.extras import assessment_extra, transport_extra

ASSESSMENT = (assessment_extra, "managing_departments", "C06", "supervising_departments",
              {"C01", "C03", "C04", "C06", "C27"})
TRANSPORT = (transport_extra, "supervising_departments", "C03", "readers", {"C01", "C02", "C03", "C04"})


def _bad(key: str, known: str, other: str) -> list[tuple[Any, str]]:
    """Each extra's bad settings (its list's ``key``, a ``known`` department, ``other``: a key it does not take)
    and what the refusal names."""
    return [([], "top level"),
            ({key: known}, f"'{key}' must be a list"),
            ({key: [int(known[1:])]}, f"'{key}' must be a list"),
            ({key: ["C99"]}, "'C99' is not a department"),
            ({key: [known, known]}, "twice"),
            ({key: [], other: ["C01"]}, f"unknown key '{other}'"),
            ({"description": 5}, "'description'")]


@pytest.mark.parametrize(("extra", "departments", "raw", "named"), [
    pytest.param(extra, departments, raw, named, id=f"{key}-{n}")
    for extra, key, known, other, departments in (ASSESSMENT, TRANSPORT)
    for n, (raw, named) in enumerate(_bad(key, known, other))])
def test_bad_settings_are_refused_naming_the_key(extra: Callable[[Any, set[str]], Any], departments: set[str],
                                                 raw: Any, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        extra(raw, departments)
