"""The change report of a package load: per kind of the city's data, what is added, changed and removed, with the
codes, compared between the stored city (``engine.persistence.read.city_package.snapshot``) and the package."""

from __future__ import annotations

import json
from typing import Any

import shapely.geometry

from city.package.format import CityPackage
from city.package.topics import checklist_json

NAMES_SHOWN = 20  # codes listed per kind and change; the counts are always whole
Snapshot = dict[str, dict[str, tuple[Any, ...]]]


def _geometry(text: str) -> str:
    """A GeoJSON geometry text in one spelling (what is stored and what is loaded compare equal when equal)."""
    return json.dumps(shapely.geometry.mapping(shapely.geometry.shape(json.loads(text))), separators=(",", ":"))


def package_snapshot(pkg: CityPackage) -> Snapshot:
    """The package as ``snapshot`` reads the stored city."""
    grid_street = pkg.grid_streets()
    grids = pkg.grids
    return {
        "districts": {c: (n, g) for c, n, g in grids.districts},
        "resp_grids": {c: (n, d, grid_street[c], g) for c, n, d, g in grids.resp_grids},
        "unit_grids": {c: (r, d, g) for c, r, d, _, g in grids.unit_grids},
        "streets": {s["code"]: (s["name"], s["district"], s["department"]) for s in pkg.streets},
        "aspects": {a["code"]: (a["name_zh"], a["name_en"]) for a in pkg.aspects},
        "subtypes": {s["code"]: (s["kind"], s["major_code"], s["major_name_zh"], s["name_zh"], s["name_en"],
                                 s["aspect"], s["default_urgency"], float(s["time_limit"]["amount"]),
                                 s["time_limit"]["unit"], s["closing_standard_zh"], bool(s["video_ai"]),
                                 s["national_code"])
                     for s in pkg.subtypes},
        "departments": {d["code"]: (d["name_zh"], d["name_en"], d["level"], d["district"]) for d in pkg.departments},
        "channels": {c["code"]: (c["name_zh"], c["name_en"], c["urgent"], c["active"], float(position))
                     for position, c in enumerate(pkg.channels, start=1)},
        "users": {u["username"]: (u["display_name"], u["role"], u["department"], u["district"]) for u in pkg.users},
        "campaign_topics": {t["code"]: (t["name"], t["name_en"], t["group"], checklist_json(t["checklist"]),
                                        t["enabled"]) for t in pkg.campaign_topics or ()},
    }


def _same(kind: str, old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    if old == new:
        return True
    if kind.endswith(("grids", "districts")):  # geometry last: compare it in one spelling
        return old[:-1] == new[:-1] and _geometry(old[-1]) == _geometry(new[-1])
    return False


def change_report(before: Snapshot, after: Snapshot, profile_before: dict[str, Any],
                  profile_after: dict[str, Any]) -> dict[str, Any]:
    """``{kind: {added, changed, removed, unchanged, names: {added: [...], changed: [...], removed: [...]}}}`` and
    ``profile``: the profile's fields that change, as ``[before, after]``."""
    report: dict[str, Any] = {}
    for kind, new in after.items():
        old = before.get(kind, {})
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        changed = sorted(k for k in set(new) & set(old) if not _same(kind, old[k], new[k]))
        report[kind] = {"added": len(added), "changed": len(changed), "removed": len(removed),
                        "unchanged": len(set(new) & set(old)) - len(changed),
                        "names": {"added": added[:NAMES_SHOWN], "changed": changed[:NAMES_SHOWN],
                                  "removed": removed[:NAMES_SHOWN]}}
    report["profile"] = {key: [profile_before.get(key), value] for key, value in profile_after.items()
                         if profile_before.get(key) != value}
    return report


def report_text(result: dict[str, Any]) -> str:
    """The report as lines people read: one line per kind that changes, then the profile's changes."""
    lines = [f"city package {result.get('source') or ''} loaded as profile version {result['version']}".strip()]
    for kind, change in result["changes"].items():
        if kind == "profile":
            continue
        if change["added"] or change["changed"] or change["removed"]:
            listed = "; ".join(f"{what}: {', '.join(names)}{' …' if change[what] > len(names) else ''}"
                               for what, names in change["names"].items() if names)
            lines.append(f"  {kind}: +{change['added']} ~{change['changed']} -{change['removed']}"
                         f" ({change['unchanged']} unchanged) — {listed}")
        else:
            lines.append(f"  {kind}: unchanged ({change['unchanged']})")
    for key, (old, new) in result["changes"]["profile"].items():
        lines.append(f"  profile {key}: {old!r} → {new!r}")
    if result.get("duty_versions_added"):
        lines.append(f"  duty calendar versions added: {result['duty_versions_added']}")
    if result.get("components"):
        found = result["components"]
        lines.append(f"  components: {found['total']} ({found['added']} added, {found['updated']} updated, "
                     f"{found['removed']} removed; {found['outside_grids']} outside the grids)")
    for deployed in result.get("deployed", []):
        lines.append(f"  rules deployed: {deployed}")
    return "\n".join(lines)
