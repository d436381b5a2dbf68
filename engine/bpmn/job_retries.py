"""A service task's retries and back-off, from its model: gridcase's properties or Camunda's retry time cycle.

``spiffworkflow:property`` ``retries`` (an integer ≥ 0: how many times a failed job is tried again before it becomes
an incident; default 3) and ``retryBackoff`` (an ISO 8601 duration waited before each retry; default PT1M). A model
from Camunda Modeler may say ``<camunda:failedJobRetryTimeCycle>R3/PT5M</camunda:failedJobRetryTimeCycle>`` (3
retries, 5 minutes apart); gridcase's properties win where both are given. Bad values are refused at deploy and
by the designer's lint, naming the property.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.bpmn.helpers import parse_duration
from engine.domain.jobs import DEFAULT_RETRIES, DEFAULT_RETRY_BACKOFF_MS, MAX_RETRIES, MAX_RETRY_TIMEOUT_MS

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CYCLE_TAG = f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}failedJobRetryTimeCycle"
_CYCLE = re.compile(r"R(\d+)/(P\S+)")


def retry_cycle(node: Any) -> str | None:
    """The text of the task element's ``camunda:failedJobRetryTimeCycle``, if it has one."""
    found = node.find(CYCLE_TAG)
    return None if found is None else (found.text or "").strip()


def model_retries(properties: Mapping[str, Any], cycle: str | None) -> tuple[int, int]:
    """(retries, back-off in milliseconds) of a service task; ValueError naming the property at fault."""
    retries, backoff_ms = DEFAULT_RETRIES, DEFAULT_RETRY_BACKOFF_MS
    if cycle is not None:
        match = _CYCLE.fullmatch(cycle)
        if match is None:
            raise ValueError(f"camunda:failedJobRetryTimeCycle {cycle!r}: gridcase reads R<retries>/<duration> "
                             "(e.g. R3/PT5M); a list of waits is not supported")
        retries = _count(match.group(1), "camunda:failedJobRetryTimeCycle")
        backoff_ms = _backoff(match.group(2), "camunda:failedJobRetryTimeCycle")
    text = str(properties.get("retries") or "").strip()
    if text:
        retries = _count(text, "retries")
    text = str(properties.get("retryBackoff") or "").strip()
    if text:
        backoff_ms = _backoff(text, "retryBackoff")
    return retries, backoff_ms


def _count(text: str, name: str) -> int:
    if re.fullmatch(r"[0-9]{1,7}", text) is None or int(text) > MAX_RETRIES:
        raise ValueError(f"{name} {text!r} must be a whole number from 0 to {MAX_RETRIES}")
    return int(text)


def _backoff(text: str, name: str) -> int:
    try:
        milliseconds = round(parse_duration(text).total_seconds() * 1000)
    except ValueError:
        raise ValueError(f"{name} {text!r} must be an ISO 8601 duration such as PT1M (no years or months)") from None
    if not 0 <= milliseconds <= MAX_RETRY_TIMEOUT_MS:
        raise ValueError(f"{name} {text!r} must be at most {MAX_RETRY_TIMEOUT_MS // 86_400_000} days")
    return milliseconds
