"""The campaigns' checks of a command's own values (no database): every field at fault, by name. What needs the
database (topics, the area's codes, the grid, the item) is checked by the handlers in their transaction."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from city.campaigns.commands import ReportCampaignFinding, StartCampaign
from engine.domain.input_limits import text_fault

KINDS = ("census", "hazard_survey")
AREA_KEYS = ("districts", "streets", "grids")
CHECK_RESULTS = ("clear", "count")
FINDING_KINDS = ("case", "record", "watched")
WATCHED_STATES = ("watched", "fixed", "escalated")
NAME_CHARS, GROUP_CHARS, KEY_CHARS, DESCRIPTION_CHARS, NOTE_CHARS = 200, 100, 200, 2000, 500
MAX_TOPICS, MAX_TEAMS, MAX_EVIDENCE = 100, 50, 20
_SHA256 = re.compile("^[0-9a-f]{64}$")
REFUSED = "the campaign command has invalid fields"


def _codes(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) and v and len(v) <= 40 for v in value)


def _area_problems(area: Any) -> dict[str, str]:
    if not isinstance(area, dict) or set(area) - set(AREA_KEYS):
        return {"area": "must be an object of districts, streets and grids (lists of codes)"}
    problems = {f"area.{k}": "must be a list of codes" for k in AREA_KEYS if not _codes(area.get(k, []))}
    if not problems and not any(area.get(k) for k in AREA_KEYS):
        problems["area"] = "name at least one district, street or grid (普查范围)"
    return problems


def _team_problems(teams: Any) -> dict[str, str]:
    if not isinstance(teams, list | tuple) or len(teams) > MAX_TEAMS:
        return {"teams": f"must be a list of at most {MAX_TEAMS} teams"}
    problems: dict[str, str] = {}
    for index, team in enumerate(teams):
        if not isinstance(team, dict):
            problems[f"teams.{index}"] = "must be an object {name, group, districts, streets}"
            continue
        for key, limit in (("name", NAME_CHARS), ("group", GROUP_CHARS)):
            fault = text_fault(team.get(key), limit)
            if fault is not None:
                problems[f"teams.{index}.{key}"] = "a team needs its task group (任务组)" if key == "group" else fault
        problems |= {f"teams.{index}.{k}": "must be a list of codes" for k in ("districts", "streets")
                     if not _codes(team.get(k, []))}
    return problems


def _time(value: Any) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


def start_problems(cmd: StartCampaign, now: datetime) -> dict[str, str]:
    """What is wrong with a StartCampaign's values, by field."""
    problems: dict[str, str] = {}
    fault = text_fault(cmd.name, NAME_CHARS)
    if fault is not None:
        problems["name"] = fault
    if cmd.kind not in KINDS:
        problems["kind"] = "must be one of: " + ", ".join(KINDS)
    if not _codes(cmd.topics) or not 1 <= len(cmd.topics) <= MAX_TOPICS or len(set(cmd.topics)) != len(cmd.topics):
        problems["topics"] = f"name 1-{MAX_TOPICS} different topic codes (普查专题)"
    problems |= _area_problems(cmd.area) | _team_problems(cmd.teams)
    for name in ("starts_at", "ends_at"):
        if not _time(getattr(cmd, name)):
            problems[name] = "must be a date and time with its zone"
    if "starts_at" not in problems and "ends_at" not in problems:
        if cmd.ends_at <= cmd.starts_at:
            problems["ends_at"] = "must be after starts_at (截止时间须晚于开始时间)"
        elif cmd.ends_at <= now:
            problems["ends_at"] = "must be in the future"
    if cmd.emergency_id is not None and (not isinstance(cmd.emergency_id, int) or isinstance(cmd.emergency_id, bool)):
        problems["emergency_id"] = "must be an emergency's id"
    return problems


def _number(value: Any, bound: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
        and -bound <= value <= bound


def finding_problems(cmd: ReportCampaignFinding) -> dict[str, str]:
    """What is wrong with a ReportCampaignFinding's values, by field (the item's subtypes are checked later)."""
    problems: dict[str, str] = {}
    for name, limit in (("finding_key", KEY_CHARS), ("description", DESCRIPTION_CHARS)):
        fault = text_fault(getattr(cmd, name), limit)
        if fault is not None:
            problems[name] = fault
    if cmd.kind not in FINDING_KINDS:
        problems["kind"] = "must be one of: " + ", ".join(FINDING_KINDS)
    elif cmd.kind == "case" and not isinstance(cmd.subtype_code, str):
        problems["subtype_code"] = "a finding that becomes a case needs its subtype (问题小类)"
    if cmd.subtype_code is not None and not isinstance(cmd.subtype_code, str):
        problems["subtype_code"] = "must be a subtype code"
    for name, bound in (("lon", 180.0), ("lat", 90.0)):
        if not _number(getattr(cmd, name), bound):
            problems[name] = f"must be a number from -{bound:g} to {bound:g}"
    if not isinstance(cmd.evidence, tuple | list) or len(cmd.evidence) > MAX_EVIDENCE:
        problems["evidence"] = f"at most {MAX_EVIDENCE} sha256 hashes of uploaded photos"
    else:
        problems |= {f"evidence.{i}": "must be a sha256 (64 hex digits) of an uploaded attachment"
                     for i, d in enumerate(cmd.evidence) if not isinstance(d, str) or not _SHA256.fullmatch(d)}
    if not isinstance(cmd.data, dict):
        problems["data"] = "must be an object"
    return problems


def check_problems(result: Any, count: Any) -> dict[str, str]:
    """What is wrong with a RecordSweepCheck's result and count."""
    if result not in CHECK_RESULTS:
        return {"result": "must be one of: " + ", ".join(CHECK_RESULTS)}
    if result == "count" and (not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 10**9):
        return {"count": "an inventory count needs a whole number (0 or more)"}
    if result == "clear" and count is not None:
        return {"count": "a clear item has no count"}
    return {}
