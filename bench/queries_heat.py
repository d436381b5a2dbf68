"""The heat maps of ``gridcase bench queries``, per variant: every filter a person can pick (none, a channel,
the source, a subtype, an aspect, a department) over all cases, one calendar month and a period with partial
edge months, each timed on its own (p50/p95/max) besides the kind's overall figure.

The variants' calls are interleaved (one of each in turn), so a busy moment of the machine does not fall on
one variant alone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from city.analysis import service as analysis
from city.analysis.filter import AnalysisFilter
from city.persistence.read import analysis as fact_reads
from engine.persistence.read import city
from engine.service.deps import Deps

TARGET_MS = 500.0
BUDGET_SECONDS = 120.0  # a kind stops after this long (every variant run at least 5 times), saying so
VARIANTS = ("none", "channel", "source", "subtype", "aspect", "department")
CHANNELS = ("patrol", "hotline", "census", "wechat", "video")  # the commonest first: patrol is the largest
KINDS = {"heat_map_all": "all cases", "heat_map_month": "one calendar month",
         "heat_map_period": "from a day within a month over 20-90 days (partial edge months)"}


def _ms(values: list[float], share: float) -> float | None:
    """The ``share`` percentile of seconds, in ms (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)


def figures(times: list[float]) -> dict[str, Any]:
    """p50/p95/max in ms and how many runs."""
    return {"p50_ms": _ms(times, 0.5), "p95_ms": _ms(times, 0.95), "max_ms": _ms(times, 1.0),
            "repetitions": len(times)}


def _read(deps: Deps, read: Callable[..., Any]) -> Any:
    with deps.uow(read_only=True) as uow:
        return read(uow.store)


def _month_days(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def _choices(deps: Deps) -> dict[str, list[dict[str, Any]]]:
    """The filters each variant picks from (one at random per call)."""
    subtypes = [s["code"] for s in _read(deps, city.subtypes)]
    aspects = [_read(deps, lambda s, a=a["code"]: city.aspect_subtypes(s, a)) for a in _read(deps, city.aspects)]
    departments = [d["code"] for d in _read(deps, city.departments)]
    return {"none": [{}], "channel": [{"channel": c} for c in CHANNELS],
            "source": [{"source": "history"}, {"source": "history"}, {"source": "live"}],
            "subtype": [{"subtypes": (s,)} for s in subtypes] or [{}],
            "aspect": [{"subtypes": tuple(codes)} for codes in aspects if codes] or [{}],
            "department": [{"department": d} for d in departments] or [{}]}


def _period(kind: str, months: list[str], rng: random.Random) -> tuple[date | None, date | None]:
    """The days ``since``..``until`` of one call of ``kind`` (None, None: all cases)."""
    if kind == "heat_map_all" or not months:
        return None, None
    since, until = _month_days(rng.choice(months))
    if kind == "heat_map_month":
        return since, until
    start = since + timedelta(days=rng.randrange(1, 28))  # partial edge months: read from the facts
    return start, start + timedelta(days=rng.randrange(20, 90))


def _filter(picked: dict[str, Any], kind: str, months: list[str], rng: random.Random) -> AnalysisFilter:
    """The variant's picked filter over a period of ``kind``."""
    since, until = _period(kind, months, rng)
    return AnalysisFilter(subtypes=picked.get("subtypes"), channel=picked.get("channel"),
                          source=picked.get("source"), department=picked.get("department"),
                          since=since, until=until)


def _run(calls: list[tuple[str, AnalysisFilter]], deps: Deps) -> tuple[dict[str, list[float]], bool]:
    """Time each call (after one untimed warm-up of each variant): seconds per variant; whether the budget
    stopped it."""
    for label in VARIANTS:
        analysis.heat_map(deps, next(f for v, f in calls if v == label))
    times: dict[str, list[float]] = {label: [] for label in VARIANTS}
    started = time.perf_counter()
    for label, flt in calls:
        begin = time.perf_counter()
        analysis.heat_map(deps, flt)
        times[label].append(time.perf_counter() - begin)
        if time.perf_counter() - started > BUDGET_SECONDS and min(len(t) for t in times.values()) >= 5:
            return times, True
    return times, False


def heat_maps(deps: Deps, rng: random.Random, repeat: int) -> dict[str, Any]:
    """``analysis.heat_map`` per kind of period, ``repeat`` times per variant: overall and per-variant figures."""
    months = _read(deps, fact_reads.fact_months)
    choices = _choices(deps)
    out: dict[str, Any] = {}
    for kind, what in KINDS.items():
        calls = [(label, _filter(rng.choice(choices[label]), kind, months, rng))
                 for _ in range(repeat) for label in VARIANTS]
        times, stopped = _run(calls, deps)
        every = [t for label in VARIANTS for t in times[label]]
        found = {**figures(every), "target_ms": TARGET_MS}
        found["meets_target"] = found["p95_ms"] is not None and found["p95_ms"] <= TARGET_MS
        found["note"] = f"analysis.heat_map over {what}: {repeat} runs of each variant ({', '.join(VARIANTS)})"
        if stopped:
            found["stopped_after_seconds"] = BUDGET_SECONDS
        found["variants"] = {label: {**figures(times[label]),
                                     "meets_target": (_ms(times[label], 0.95) or 0.0) <= TARGET_MS}
                             for label in VARIANTS}
        out[kind] = found
    return out
