"""The admin pages' commands (docs/city.md): departments, the catalogue's subtypes and the routing of a subtype.

Each is handled in one transaction by ``city.admin.handlers`` and kept in ``admin_changes`` (before, after, who,
when, why): the page, ``/api/v1/admin/…`` and ``gridcase city department|subtype …`` send the same command.
A field left ``None`` in an edit is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class AddDepartment(Command):
    """Add a department (处置单位) at city, district or street level; district and street ones name their
    district."""

    code: str
    name_zh: str
    name_en: str
    level: str
    district: str | None
    actor: str
    comment: str = ""


@dataclass(frozen=True)
class EditDepartment(Command):
    """Change a department's names, level or district (``""`` for no district)."""

    code: str
    actor: str
    name_zh: str | None = None
    name_en: str | None = None
    level: str | None = None
    district: str | None = None
    comment: str = ""


@dataclass(frozen=True)
class DisableDepartment(Command):
    """Disable a department: refused while tasks are open in its queue or a routing rule names it (which);
    ``enable``: undo."""

    code: str
    actor: str
    enable: bool = False
    comment: str = ""


@dataclass(frozen=True)
class AddSubtype(Command):
    """Add a subtype (小类) to an aspect: 部件 (component) or 事件 (event), with its time limit and closing
    standard."""

    code: str
    kind: str
    aspect_code: str
    major_code: str
    major_name_zh: str
    name_zh: str
    name_en: str
    default_urgency: str
    limit_amount: float
    limit_unit: str
    closing_standard: str
    actor: str
    comment: str = ""
    national_code: str | None = None  # GB/T 30428.2's code, where it has one


@dataclass(frozen=True)
class EditSubtype(Command):
    """Change a subtype's names, default urgency, time limit or closing standard."""

    code: str
    actor: str
    name_zh: str | None = None
    name_en: str | None = None
    default_urgency: str | None = None
    limit_amount: float | None = None
    limit_unit: str | None = None
    closing_standard: str | None = None
    comment: str = ""
    national_code: str | None = None  # "" for none


@dataclass(frozen=True)
class DisableSubtype(Command):
    """Disable a subtype: it can no longer be reported, its open cases finish; ``enable``: undo."""

    code: str
    actor: str
    enable: bool = False
    comment: str = ""


@dataclass(frozen=True)
class MoveSubtypeRouting(Command):
    """Route every rule of the deployed responsibility table for ``subtype_code`` to ``department`` (its
    disposal unit) and deploy the edited rules as a new version (``DeployProcesses``)."""

    subtype_code: str
    department: str
    actor: str
    comment: str = ""


@dataclass(frozen=True)
class AddChannel(Command):
    """Add a channel reports arrive by (来源), listed last; ``urgent``: its reports are urgent whatever the
    subtype."""

    code: str
    name_zh: str
    name_en: str
    actor: str
    urgent: bool = False
    comment: str = ""


@dataclass(frozen=True)
class EditChannel(Command):
    """Rename a channel, mark it urgent or not, or disable it (``active`` False: refused for new reports)."""

    code: str
    actor: str
    name_zh: str | None = None
    name_en: str | None = None
    urgent: bool | None = None
    active: bool | None = None
    comment: str = ""


@dataclass(frozen=True)
class SetHolidayYear(Command):
    """Set one year of the city's holiday table (节假日: the days off, and the weekend days worked in their place,
    调休) in the calendar its package named; every process's working time counts with it from then on."""

    year: int
    holidays: tuple[str, ...]  # ISO dates
    workdays: tuple[str, ...]
    actor: str
    comment: str = ""
