"""The process the start tests start by hand (tests/fixtures/start): 占道施工申请, a start form, a review by a shift
lead and a site check by the roads department of district 350602; its starters are the seat operators and shift
leads. Deployed through the designer API with its forms, as a designer would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api_support import Api

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "start"
PROCESS = "road_occupation"
OPEN_PROCESS = "road_occupation_open"  # the same model naming no starters
STARTER, REVIEWER, INSPECTOR = "seat01", "shiftlead01", "dept_350602d02_01"
NOT_STARTERS = ("dept_350602d02_01", "collector001", "auditor01", "supervisor01")
APPLICATION = {"application": {"applicant": "漳州路桥公司", "road": "胜利西路", "days": 3, "note": "管线维修"}}
STARTERS_LINE = '<spiffworkflow:property name="candidateStarterGroups" value="seat_operator, shift_lead"/>'


def fixture_files(process_id: str = PROCESS, starters_line: str = STARTERS_LINE) -> dict[str, str]:
    """The fixture's BPMN (as ``process_id``, with ``starters_line`` for its starter groups) and its forms."""
    bpmn = (FOLDER / "road_occupation.bpmn").read_text(encoding="utf-8")
    assert STARTERS_LINE in bpmn
    bpmn = bpmn.replace(STARTERS_LINE, starters_line).replace(f'"{PROCESS}"', f'"{process_id}"')
    forms = {f"forms/{path.name}": path.read_text(encoding="utf-8") for path in sorted((FOLDER / "forms").iterdir())}
    return {f"{process_id}.bpmn": bpmn, **forms}


def deploy(api: Api, process_id: str = PROCESS, starters_line: str = STARTERS_LINE) -> dict[str, Any]:
    """Deploy the fixture (again: unchanged is fine) as designer01; the version's JSON."""
    response = api.post("/processes/deploy", "designer01",
                        {"files": fixture_files(process_id, starters_line), "comment": "start tests"})
    assert response.status_code in (200, 201), response.json
    [version] = response.json["versions"]
    return dict(version)


def deploy_both(api: Api) -> None:
    """The fixture with its starters, and the same model naming none."""
    deploy(api)
    deploy(api, OPEN_PROCESS, "")
