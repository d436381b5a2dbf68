"""The campaigns' reads as the API and the pages want them: each opens a read-only unit of work over the campaigns'
read model (``city/persistence/read/campaigns.py``, and ``campaign_pages.py`` for what the pages need besides) and
shapes the answer (the compact grid states of the progress map, overdue by the clock)."""

from __future__ import annotations

from typing import Any

from city.persistence.read import campaign_pages, campaigns
from engine.persistence.read import cases as case_reads
from engine.service.deps import Deps

STATES = ("not_started", "in_progress", "done", "overdue")  # the map's colours, by index in the compact states


def topics(deps: Deps, group: str | None) -> list[dict[str, Any]]:
    """The enabled topics with their checklist items."""
    with deps.uow(read_only=True) as uow:
        return campaign_pages.topics(uow.store, group)


def campaign_list(deps: Deps) -> list[dict[str, Any]]:
    """The newest campaigns first."""
    with deps.uow(read_only=True) as uow:
        return campaigns.campaign_list(uow.store)


def summary(deps: Deps, campaign_id: int) -> dict[str, Any] | None:
    """One campaign with its grids' counts; None if there is none."""
    with deps.uow(read_only=True) as uow:
        return campaigns.campaign_summary(uow.store, campaign_id)


def _rows(by: dict[str, dict[str, int]], key: str) -> list[dict[str, Any]]:
    """``{code: {count name: n}}`` as table rows (every row with every count name, 0 when missing), by code."""
    names = sorted({name for counts in by.values() for name in counts})
    return [{key: code, **{name: counts.get(name, 0) for name in names}} for code, counts in sorted(by.items())]


def progress(deps: Deps, campaign_id: int) -> dict[str, Any] | None:
    """The campaign and its counts as table rows: by topic (findings by kind, items by result), by street and by
    team (grids, done, findings); the overdue grids' codes. None if there is no such campaign."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        found = campaigns.campaign_summary(uow.store, campaign_id)
        if found is None:
            return None
        counts = campaigns.progress_counts(uow.store, campaign_id, now)
    names = {t["code"]: t["name"] for t in found.get("topics") or [] if isinstance(t, dict)}
    by_topic = [{"topic": r["topic"], "name": names.get(r["topic"], ""), **r}
                for r in _rows({code: counts["by_topic"].get(code, {}) for code in names} | counts["by_topic"],
                               "topic")]
    return {"campaign": found, "by_topic": by_topic,
            "by_street": [{"street": r["key"], **{k: v for k, v in r.items() if k != "key"}} for r in
                          counts["by_street"]],
            "by_team": [{"team": r["key"], **{k: v for k, v in r.items() if k != "key"}} for r in counts["by_team"]],
            "overdue": counts["overdue_grids"]}


def compact_states(deps: Deps, campaign_id: int) -> dict[str, Any] | None:
    """``{grids: {code: [state index, topics_done, findings]}, states, counts}`` — about 20 bytes a grid, so 4226
    grids are ~100 kB of JSON; the states are worked out by the database (the map polls this). None if there is no
    such campaign."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        rows = campaign_pages.grid_state_codes(uow.store, campaign_id, now)
        # a campaign has at least one grid: only an empty answer asks whether it exists
        if not rows and campaigns.campaign_summary(uow.store, campaign_id) is None:
            return None
    counts = [0, 0, 0, 0]
    grids: dict[str, list[int]] = {}
    for code, state, done, findings in rows:
        counts[state] += 1
        grids[code] = [state, done, findings]
    return {"grids": grids, "states": list(STATES), "counts": dict(zip(STATES, counts, strict=True))}


def report(deps: Deps, campaign_id: int) -> dict[str, Any] | None:
    """The campaign and its report: found, filed, fixed, open in all (``totals``), by topic and by department (table
    rows); None if there is no such campaign."""
    with deps.uow(read_only=True) as uow:
        found = campaigns.campaign_summary(uow.store, campaign_id)
        if found is None:
            return None
        counts = campaigns.campaign_report(uow.store, campaign_id)
    columns = ("found", "filed", "fixed", "open")
    return {"campaign": found, "totals": {k: counts[k] for k in columns},
            "by_topic": [{"topic": code, **{k: c[k] for k in columns}}
                         for code, c in sorted(counts["by_topic"].items())],
            "by_department": [{"department": code or "—", **{k: c[k] for k in columns}}
                              for code, c in sorted(counts["by_department"].items())]}


def grid_sheet(deps: Deps, campaign_id: int, grid: str) -> dict[str, Any] | None:
    """The grid's sheet with the grid's centre (``centre``: [lon, lat], a finding's default location)."""
    with deps.uow(read_only=True) as uow:
        sheet = campaigns.grid_sheet(uow.store, campaign_id, grid)
        if sheet is None:
            return None
        centre = campaign_pages.grid_centre(uow.store, grid)
        row = sheet.get("grid") if isinstance(sheet.get("grid"), dict) else sheet
        case_id = row.get("case_id") if isinstance(row, dict) else None
        number = case_reads.case_no(uow.store, int(case_id)) if case_id is not None else None
    return {**sheet, "centre": list(centre) if centre else None, "sweep_case_no": number}


def task_group(sheet: dict[str, Any]) -> str | None:
    """The task group the grid's sweep goes to, from its sheet."""
    row = sheet.get("grid") if isinstance(sheet.get("grid"), dict) else sheet
    group = row.get("task_group") if isinstance(row, dict) else None
    return str(group) if group else None


def finding_id_by_key(deps: Deps, campaign_id: int, finding_key: str) -> int | None:
    """The finding already recorded under the key, if any."""
    with deps.uow(read_only=True) as uow:
        return campaign_pages.finding_id_by_key(uow.store, campaign_id, finding_key)


def sweep_of_case(deps: Deps, case_id: int) -> tuple[int, str] | None:
    """The (campaign, grid) a sweep case belongs to."""
    with deps.uow(read_only=True) as uow:
        return campaign_pages.sweep_of_case(uow.store, case_id)


def _recorded(sheet: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(topic, item) → what is recorded, from the sheet's checks (a list of rows, when it gives them apart)."""
    checks = sheet.get("checks")
    if not isinstance(checks, list):
        return {}
    return {(str(c.get("topic_code")), str(c.get("item_code"))): c for c in checks if isinstance(c, dict)}


def sweep_topics(sheet: dict[str, Any]) -> list[dict[str, Any]]:
    """The sheet's topics as the sweep page draws them: each item with ``result`` (clear, count, finding or
    None), ``count`` and its ``findings`` (number); each topic with ``recorded`` and ``total`` items."""
    recorded, findings = _recorded(sheet), sheet.get("findings") or []
    out = []
    for topic in sheet.get("topics") or []:
        items = []
        for item in topic.get("items") or []:
            key = (str(topic.get("code")), str(item.get("code")))
            check = recorded.get(key) or item.get("check") or item.get("recorded") or item
            found = sum(1 for f in findings if isinstance(f, dict)
                        and (str(f.get("topic_code")), str(f.get("item_code"))) == key)
            found = max(found, int(item.get("findings") or 0) if not isinstance(item.get("findings"), list)
                        else len(item["findings"]))
            result = check.get("result") if isinstance(check, dict) else None
            items.append({**item, "result": result or ("finding" if found else None), "count": check.get("count"),
                          "findings": found})
        done = sum(1 for i in items if i["result"])
        out.append({**topic, "items": items, "recorded": done, "total": len(items)})
    return out
