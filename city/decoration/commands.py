"""Indoor decoration works' commands (室内装修工程): register a works, register its waste's removal by a permitted
transport company, cancel it. Inspections and the finish are the ``decoration_works`` case's tasks, completed
through the normal task API (``CompleteHumanTask``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.domain.commands import Command


@dataclass(frozen=True)
class RegisterDecorationWorks(Command):
    """Register a works (装修登记) at ``lon``/``lat`` (inside the city's grids: district, street and grid are filled
    from the point) for ``starts_on``..``ends_on`` (at most a year) with ``expected_waste_m3`` (0..10,000) of waste:
    its row and its ``decoration_works`` case, in one transaction. Every field at fault is named (422). Returns
    ``{code, case_id, case_no, district_code, street_code, grid_code}``."""

    address: str
    compound_name: str | None
    lon: float
    lat: float
    owner_name: str
    owner_phone: str
    contractor: str
    starts_on: date
    ends_on: date
    expected_waste_m3: float
    actor: str


@dataclass(frozen=True)
class RegisterDecorationRemoval(Command):
    """Register the waste's removal (登记清运) of works ``works_code`` by the transport permit ``permit_code`` (核准):
    the permit must be active and valid over the works' whole period and its company active. The works' row gets
    the permit and company and the works case the ``decoration_removal_registered`` message, in one transaction.
    Returns ``{code, permit_code, company_code, case_id}``."""

    works_code: str
    permit_code: str
    actor: str


@dataclass(frozen=True)
class CancelDecorationWorks(Command):
    """Cancel a registered works (撤销登记) with ``reason``: by its office (the department the works case gives its
    tasks to) or an admin; the works case gets ``decoration_works_cancelled``. Returns ``{code, case_id}``."""

    works_code: str
    reason: str
    actor: str
