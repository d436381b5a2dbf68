"""A Flowable model's JUEL arithmetic routes cases as its Python translation computes
(tests/fixtures/foreign_models/gridcase_flowable_overtime_fee.bpmn20.xml), and its form, found beside it, is part
of the version. Hot and restored from the rows at every command; every case replays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fixture_types import Sql

from engine.domain import commands as c
from engine.domain.errors import ScriptRejected
from engine.persistence.repositories.versions import latest_version, version_sources
from engine.service.bus import MessageBus
from engine.service.deploy import read_deploy_files

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "foreign_models"
MODEL = CORPUS / "gridcase_flowable_overtime_fee.bpmn20.xml"


@pytest.mark.parametrize(("works", "route"), [
    ({"hours": 4, "rate": 100, "surcharge": 50, "credit": 0, "balance": 0}, "closed"),  # 450: not over 500
    ({"hours": 4, "rate": 120, "surcharge": 50, "credit": 0, "balance": 0}, "confirm"),  # 530, 4 mod 2 == 0
    ({"hours": 5, "rate": 120, "surcharge": 50, "credit": 0, "balance": 0}, "closed"),  # 650, but 5 mod 2 == 1
    ({"hours": 2, "rate": 100, "surcharge": 0, "credit": 301, "balance": 0}, "confirm"),  # 200 - -301 = 501
    ({"hours": 1, "rate": 10, "surcharge": 0, "credit": 0, "balance": -202}, "closed"),  # the refund path
])
def test_the_arithmetic_routes_as_juel_would(each_bus: MessageBus, sql: Sql, works: dict[str, Any],
                                             route: str) -> None:
    each_bus.handle(c.DeployProcesses(read_deploy_files([MODEL]), "tests"))
    ref = each_bus.handle(c.StartCase("overtime_works_fee", works, "clerk"))
    tasks = {r.bpmn_id for r in sql("SELECT bpmn_id FROM human_tasks WHERE case_id = :id", id=ref.case_id)}
    assert tasks == ({"confirm_fee"} if route == "confirm" else set())
    if route == "confirm":
        each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"fee_confirmed": True}, "bob"))
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"


def test_the_form_beside_the_model_is_part_of_the_version(bus: MessageBus) -> None:
    bus.handle(c.DeployProcesses(read_deploy_files([MODEL]), "tests"))
    with bus.deps.uow(read_only=True) as uow:
        version = latest_version(uow.store, "overtime_works_fee")
        assert version is not None
        found = version_sources(uow.store, version.id)
    assert found is not None and "forms/overtime_fee_confirmation.json" in found[-1]


@pytest.mark.parametrize(("hours", "words"), [("4", "can only concatenate str"), (None, "NoneType")])
def test_data_juel_would_coerce_fails_the_step_naming_the_flow(bus: MessageBus, sql: Sql, hours: Any,
                                                               words: str) -> None:
    bus.handle(c.DeployProcesses(read_deploy_files([MODEL]), "tests"))
    works = {"hours": hours, "rate": 100, "surcharge": 50, "credit": 0, "balance": 0}
    with pytest.raises(ScriptRejected, match=words) as refused:  # JUEL would compute 450; Python refuses to guess
        bus.handle(c.StartCase("overtime_works_fee", works, "clerk"))
    assert refused.value.message.startswith("charge_needed: ")  # the gateway whose condition it was
    assert sql("SELECT id FROM cases WHERE process_id = 'overtime_works_fee'") == []
