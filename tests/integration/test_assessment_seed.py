"""The assessment tests' registry seed (tests/assessment_support.py) on both databases: what it writes is what the
registry reads find, and the inspection payload built from it."""

from __future__ import annotations

from datetime import UTC, datetime

from assessment_support import seed_assessment_registry
from sqlalchemy.engine import Engine

from city.assessment.round_payload import inspection_payload
from city.persistence.read.assessment_registry import active_objects, newest_checklist
from engine.persistence.uow import UnitOfWork


def test_the_seed_is_what_a_round_reads(db: Engine) -> None:
    seeded = seed_assessment_registry(db)
    with UnitOfWork(db) as uow:
        garbage = active_objects(uow.store, "garbage_sorting")
        compounds = active_objects(uow.store, "property")
        checklist = newest_checklist(uow.store, "garbage_sorting")
    assert sorted(o["code"] for o in garbage) == ["GS-COM-1", "GS-CP-1", "GS-TS-1"]
    assert {o["company_code"] for o in compounds} == {"PC-1", "PC-2"}
    assert checklist is not None and sum(i["points"] for i in checklist["items"]) == 100
    round_row = {"id": 7, "scheme": "garbage_sorting", "period": "2027-01",
                 "starts_at": datetime(2027, 1, 1, tzinfo=UTC), "due_at": datetime(2027, 2, 1, tzinfo=UTC)}
    community = next(o for o in garbage if o["kind"] == "community")
    payload = inspection_payload(community, round_row, checklist["items"], 3)
    assert payload["object"]["id"] == seeded.objects[("garbage_sorting", "GS-COM-1")]
    assert [i["code"] for i in payload["items"]] == ["GS01", "GS02", "GS03"]  # GS04: not a community's
    assert payload["warn_at"] == "2027-01-25T19:12:00+00:00"
