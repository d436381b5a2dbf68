"""The KPI settings file (config/kpi.yaml): composite weights, role time limits, names and formula texts.

``parse_config`` checks the text and names the field at fault; ``sha256`` identifies the content, so
applying the same file twice records one version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from city.kpi.formulas import BY_KEY, ROLE_COUNTS, UNIT_COUNTS
from engine.domain.errors import InvalidCommand
from engine.domain.working_time import UNITS

ROLE_STEPS = ("verify", "dispatch", "check")
TEXTS = ("zh", "en", "formula_zh", "formula_en")


@dataclass(frozen=True)
class RoleLimit:
    """How long a role step may take: ``amount`` of ``unit`` (working_hours, natural_hours, …)."""

    amount: float
    unit: str


LimitOf = Callable[[str, str | None], RoleLimit | None]


@dataclass(frozen=True)
class KpiConfig:
    """A parsed settings file; ``version`` is the applied version's id (None: the file, not yet applied)."""

    sha256: str
    content: str
    weights: dict[str, float]
    texts: dict[str, dict[str, str]]  # indicator → zh, en, formula_zh, formula_en
    terms: dict[str, dict[str, str]]  # count name → zh, en (definitions shown with the formulas)
    limits: dict[str, RoleLimit]
    version: int | None = None
    # (role step, a case's subtype) → its limit where the lifecycle's step-limit decision gives one
    # (city.kpi.report.decided_limits); None: ``limits`` for every case
    limit_of: LimitOf | None = field(default=None, compare=False, repr=False)

    def with_version(self, version: int | None) -> KpiConfig:
        """The same settings, naming the applied version they came from."""
        return replace(self, version=version)


def _fail(field: str, message: str) -> InvalidCommand:
    return InvalidCommand(f"kpi config: {field}: {message}", field=field)


def _texts(where: str, raw: Any, keys: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping")
    out = {}
    for key in keys:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _fail(f"{where}.{key}", "must be a non-empty string")
        out[key] = value.strip()
    return out


def _indicator(key: str, raw: Any) -> tuple[float, dict[str, str]]:
    where = f"indicators.{key}"
    if key not in BY_KEY:
        raise _fail(where, f"unknown indicator; known: {', '.join(BY_KEY)}")
    texts = _texts(where, raw, TEXTS)
    weight = raw.get("weight")
    if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 <= weight <= 1000:
        raise _fail(f"{where}.weight", "must be a number from 0 to 1000")
    return float(weight), texts


def _limit(step: str, raw: Any) -> RoleLimit:
    where = f"role_limits.{step}"
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping with amount and unit")
    amount, unit = raw.get("amount"), raw.get("unit")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or not 0 < amount <= 10000:
        raise _fail(f"{where}.amount", "must be a positive number")
    if unit not in UNITS:
        raise _fail(f"{where}.unit", f"must be one of {', '.join(UNITS)}")
    return RoleLimit(float(amount), str(unit))


def parse_config(content: str) -> KpiConfig:
    """Check and read a settings file's text; InvalidCommand naming the field when it is wrong."""
    try:
        raw = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise _fail("file", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise _fail("file", "must be a mapping with indicators, terms and role_limits")
    indicators = raw.get("indicators")
    if not isinstance(indicators, dict):
        raise _fail("indicators", "must be a mapping")
    parsed = {key: _indicator(str(key), value) for key, value in indicators.items()}
    missing = sorted(set(BY_KEY) - set(indicators))
    if missing:
        raise _fail(f"indicators.{missing[0]}", "missing")
    terms_raw = raw.get("terms")
    if not isinstance(terms_raw, dict):
        raise _fail("terms", "must be a mapping")
    terms = {name: _texts(f"terms.{name}", terms_raw.get(name), ("zh", "en"))
             for name in (*UNIT_COUNTS, "overdue_open", *ROLE_COUNTS)}
    limits_raw = raw.get("role_limits")
    if not isinstance(limits_raw, dict):
        raise _fail("role_limits", "must be a mapping")
    limits = {step: _limit(step, limits_raw.get(step)) for step in ROLE_STEPS}
    return KpiConfig(hashlib.sha256(content.encode()).hexdigest(), content,
                     {k: w for k, (w, _) in parsed.items()}, {k: t for k, (_, t) in parsed.items()}, terms, limits)
