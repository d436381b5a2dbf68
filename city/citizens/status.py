"""What a tracking token shows (the citizen's status page, ``gridcase citizens status``): the case's public stage,
its timeline, the before/after photos, the rating and the earlier case when it was reopened — never the phone,
email, staff names or internal notes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from city.citizens.rating import check_token
from city.citizens.settings import reach_settings
from city.persistence.read import citizens as reads
from city.public.stage import CLOSED, DISPATCHED, DISPOSED, FILED, RECEIVED, VOIDED, stage_label
from engine.domain.errors import NotFound
from engine.persistence.repositories.cases import CaseStore
from engine.service.attachments import stored_path
from engine.service.deps import Deps

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def stage_of(case: dict[str, Any]) -> str:
    """The public stage from the case's facts (as ``city.public.stage.public_stage``)."""
    if case["result"] in (CLOSED, VOIDED):
        return str(case["result"])
    disposed, checked = case["disposed_at"], case["checked_at"]
    if disposed is not None and (checked is None or checked <= disposed):
        return DISPOSED
    return DISPATCHED if case["dispatched_at"] else FILED if case["filed_at"] else RECEIVED


def timeline(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The stages reached, with when (no names)."""
    ended = case["result"] if case["result"] in (CLOSED, VOIDED) else None
    moments = [(RECEIVED, case["reported_at"]), (FILED, case["filed_at"]), (DISPATCHED, case["dispatched_at"]),
               (DISPOSED, case["disposed_at"])]
    if ended is not None:
        moments.append((ended, case["closed_at"] or case["updated_at"]))
    return [{"stage": stage, "label": stage_label(stage), "label_en": stage_label(stage, "en"), "at": _iso(at)}
            for stage, at in moments if at is not None]


def _rating(store: CaseStore, ratings: list[dict[str, Any]], case_id: int) -> dict[str, Any] | None:
    found = next((r for r in ratings if r["case_id"] == case_id), None)
    if found is None:
        return None
    return {"rating": found["rating"], "comment": found["comment"], "rated_at": _iso(found["rated_at"]),
            "outcome": found["callback_outcome"], "reopened_case_no": reads.case_no(store, found["reopened_case_id"])}


def _history(store: CaseStore, report: reads.ReportRow, ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    earlier = [r["case_id"] for r in ratings if r["case_id"] != report.case_id]
    history = []
    for case_id in earlier:
        case = reads.public_case(store, case_id)
        if case is not None:
            history.append({"case_no": case["case_no"], "stage": stage_of(case), "timeline": timeline(case),
                            "rating": _rating(store, ratings, case_id)})
    return history


def _view(store: CaseStore, report: reads.ReportRow) -> dict[str, Any] | None:
    case = reads.public_case(store, report.case_id)
    if case is None:
        return None
    ratings = reads.ratings_of_report(store, report.id)
    stage = stage_of(case)
    rating = _rating(store, ratings, report.case_id)
    before = [d for d in report.extra.get("photos") or [] if isinstance(d, str)]
    return {"case_no": case["case_no"], "stage": stage, "stage_label_zh": stage_label(stage),
            "stage_label_en": stage_label(stage, "en"), "reported_at": _iso(case["reported_at"]),
            "subtype_code": case["subtype_code"], "subtype_name": case["subtype_name"],
            "subtype_name_en": case["subtype_name_en"], "description": case["description"],
            "district": case["district"], "street": case["street"], "timeline": timeline(case),
            "before": before, "after": reads.after_photos(store, report.case_id),
            "can_rate": stage == CLOSED and rating is None, "rating": rating,
            "history": _history(store, report, ratings), "updates": report.updates, "locale": report.locale}


def status_of(deps: Deps, token: str) -> dict[str, Any] | None:
    """The status page's content for ``token`` (None: no such token)."""
    try:
        token = check_token(token)
    except NotFound:
        return None
    with deps.uow(read_only=True) as uow:
        report = reads.report_by_token(uow.store, token)
        return None if report is None else _view(uow.store, report)


def _case_ids(store: CaseStore, report: reads.ReportRow) -> list[int]:
    ratings = reads.ratings_of_report(store, report.id)
    return sorted({report.case_id, report.first_case_id, *(r["case_id"] for r in ratings)})


def public_photo(deps: Deps, token: str, digest: str, folder: Path | None = None) -> Path | None:
    """The stored file of a before/after photo of the token's case(s) (None: not one of them, or not a photo);
    ``folder``: the attachments folder (default: ``GRIDCASE_ATTACHMENTS_DIR``)."""
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    try:
        token = check_token(token)
    except NotFound:
        return None
    with deps.uow(read_only=True) as uow:
        report = reads.report_by_token(uow.store, token)
        if report is None:
            return None
        case_ids = _case_ids(uow.store, report)
        shown = {d for d in report.extra.get("photos") or [] if isinstance(d, str)}
        for case_id in case_ids:
            shown |= set(reads.after_photos(uow.store, case_id))
        found = reads.attachment_of(uow.store, case_ids, digest) if digest in shown else None
    if found is None or found["content_type"] not in PHOTO_TYPES:
        return None
    path = stored_path(folder or reach_settings().attachments_dir, digest)
    return path if path.is_file() else None
