"""Citizens' satisfaction (满意度) over a period: ratings by kind, 满意率 = (满意 + 基本满意) / all, and how the 回访
of the dissatisfied ended — for ``gridcase citizens ratings`` and, later, the KPI pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.persistence.read import citizens as reads
from engine.service.deps import Deps

RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
OUTCOMES = ("explained", "reopened", "open")  # open: the 回访 is not finished yet


def satisfaction(deps: Deps, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """``{since, until, total, ratings: {rating: n}, satisfaction_rate (None without ratings), callbacks:
    {outcome: n}}`` of the ratings given in [since, until)."""
    with deps.uow(read_only=True) as uow:
        found = reads.satisfaction_rows(uow.store, since, until)
    ratings = dict.fromkeys(RATINGS, 0)
    callbacks = dict.fromkeys(OUTCOMES, 0)
    for rating, outcome, count in found:
        ratings[str(rating)] = ratings.get(str(rating), 0) + int(count)
        if rating == "dissatisfied":
            key = str(outcome) if outcome else "open"
            callbacks[key] = callbacks.get(key, 0) + int(count)
    total = sum(ratings.values())
    rate = None if total == 0 else round((ratings["satisfied"] + ratings["basically_satisfied"]) / total, 4)
    return {"since": None if since is None else since.isoformat(),
            "until": None if until is None else until.isoformat(), "total": total, "ratings": ratings,
            "satisfaction_rate": rate, "callbacks": callbacks}
