"""The demo city's catalogue: management aspects, problem subtypes, departments and users.

Reads ``categories.json``, ``departments.json`` and ``users.json`` from a city folder (e.g.
``config/city/zhangzhou``) into frozen dataclasses and validates cross references. Every problem is
reported as :class:`CatalogError` naming the file and the offending item. Pure Python, no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.service.accounts import MAX_PASSWORD, MIN_PASSWORD

CATEGORIES_FILE = "categories.json"
DEPARTMENTS_FILE = "departments.json"
USERS_FILE = "users.json"

TIME_UNITS = frozenset({"working_hours", "working_days", "natural_hours", "natural_days"})
KINDS = frozenset({"component", "event"})
URGENCIES = frozenset({"normal", "urgent"})
LEVELS = frozenset({"city", "district", "street"})
CENTRES = frozenset({"supervision_centre", "command_centre"})
ROLES = (
    "collector", "seat_operator", "shift_lead", "dispatcher", "department_member",
    "supervisor", "process_designer", "auditor", "admin", "vision_worker",
)


class CatalogError(ValueError):
    """The catalogue files are missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Aspect:
    """A management aspect (管理方面), e.g. A03 环境卫生."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class TimeLimit:
    """A disposal time limit (处置时限): ``amount`` of ``unit`` (one of :data:`TIME_UNITS`)."""

    amount: int
    unit: str


@dataclass(frozen=True)
class Subtype:
    """A problem subtype (小类): a 部件 (component) or 事件 (event) with its handling defaults."""

    code: str
    kind: str
    major_code: str
    major_name_zh: str
    major_name_en: str
    name_zh: str
    name_en: str
    aspect: str
    default_urgency: str
    time_limit: TimeLimit
    closing_standard_zh: str
    video_ai: bool = False
    aliases: tuple[str, ...] = ()
    national_code: str | None = None  # the national standard's code (GB/T 30428.2), where the subtype has one


@dataclass(frozen=True)
class Department:
    """A disposal unit (处置单位) or command-centre unit at city, district or street level."""

    code: str
    name_zh: str
    name_en: str
    level: str
    district: str | None
    aspects: tuple[str, ...]
    centre: str | None = None


@dataclass(frozen=True)
class User:
    """A demo user with one role of DESIGN.md §2."""

    username: str
    display_name: str
    role: str
    department: str | None = None
    district: str | None = None
    password: str | None = field(default=None, repr=False)  # a package's initial password for this person


@dataclass(frozen=True)
class Catalog:
    """The whole validated catalogue of one city, indexed by code / username."""

    aspects: dict[str, Aspect]
    subtypes: dict[str, Subtype]
    departments: dict[str, Department]
    users: dict[str, User]
    demo_password: str
    scheme: str = ""
    districts: dict[str, str] = field(default_factory=dict)

    def stats(self) -> dict[str, int]:
        """Counts of aspects, subtypes (and components/events), departments and users."""
        kinds = [s.kind for s in self.subtypes.values()]
        return {
            "aspects": len(self.aspects),
            "subtypes": len(self.subtypes),
            "components": kinds.count("component"),
            "events": kinds.count("event"),
            "departments": len(self.departments),
            "users": len(self.users),
        }

    def subtype_by_name(self, name_zh: str) -> Subtype | None:
        """The subtype whose Chinese name (or one of its aliases) is ``name_zh``."""
        for subtype in self.subtypes.values():
            if name_zh == subtype.name_zh or name_zh in subtype.aliases:
                return subtype
        return None

    def members_of(self, department: str) -> list[User]:
        """The department_member users of ``department``."""
        return [u for u in self.users.values() if u.role == "department_member" and u.department == department]


def _read(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"{name}: file not found in {folder}") from exc
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{name}: invalid JSON: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except RecursionError:
        raise CatalogError(f"{name}: nested too deeply to read") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{name}: top level must be an object")
    return data


def _items(data: dict[str, Any], key: str, file: str) -> list[dict[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CatalogError(f"{file}: '{key}' must be a list of objects")
    return items


def _build(cls: type, item: dict[str, Any], file: str, label: str, **overrides: Any) -> Any:
    """``cls(**item)`` turning a missing or unexpected field into a :class:`CatalogError`."""
    try:
        return cls(**{**item, **overrides})
    except TypeError as exc:
        raise CatalogError(f"{file}: {label}: bad fields ({exc})") from exc


def _index(objects: Iterable[Any], key: str, file: str, what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for obj in objects:
        value = getattr(obj, key)
        if value in out:
            raise CatalogError(f"{file}: duplicate {what} {value!r}")
        out[value] = obj
    return out


def _check(ok: bool, file: str, label: str, message: str) -> None:
    if not ok:
        raise CatalogError(f"{file}: {label}: {message}")


def _load_subtype(item: dict[str, Any], aspects: dict[str, Aspect]) -> Subtype:
    label = f"subtype {item.get('code')!r} ({item.get('name_zh', '?')})"
    limit = item.get("time_limit")
    if not isinstance(limit, dict):  # not _check: the isinstance narrows the type for _build
        raise CatalogError(f"{CATEGORIES_FILE}: {label}: time_limit must be an object")
    time_limit = _build(TimeLimit, limit, CATEGORIES_FILE, label)
    subtype: Subtype = _build(Subtype, item, CATEGORIES_FILE, label, time_limit=time_limit,
                              aliases=tuple(item.get("aliases", ())))
    _check(time_limit.unit in TIME_UNITS, CATEGORIES_FILE, label,
           f"bad time unit {time_limit.unit!r} (expected one of {sorted(TIME_UNITS)})")
    _check(isinstance(time_limit.amount, int) and time_limit.amount > 0, CATEGORIES_FILE, label,
           f"time limit amount must be a positive integer, got {time_limit.amount!r}")
    _check(subtype.kind in KINDS, CATEGORIES_FILE, label, f"unknown kind {subtype.kind!r}")
    _check(subtype.default_urgency in URGENCIES, CATEGORIES_FILE, label,
           f"unknown urgency {subtype.default_urgency!r}")
    _check(subtype.aspect in aspects, CATEGORIES_FILE, label, f"unknown aspect {subtype.aspect!r}")
    _check(len(subtype.code) == 4 and subtype.code.isdigit() and subtype.code.startswith(subtype.major_code),
           CATEGORIES_FILE, label, "code must be 4 digits: major class + subclass")
    return subtype


def _load_categories(folder: Path) -> tuple[dict[str, Aspect], dict[str, Subtype], str]:
    data = _read(folder, CATEGORIES_FILE)
    aspect_list = [_build(Aspect, i, CATEGORIES_FILE, f"aspect {i.get('code')!r}")
                   for i in _items(data, "aspects", CATEGORIES_FILE)]
    aspects = _index(aspect_list, "code", CATEGORIES_FILE, "aspect code")
    subtype_list = [_load_subtype(i, aspects) for i in _items(data, "subtypes", CATEGORIES_FILE)]
    return aspects, _index(subtype_list, "code", CATEGORIES_FILE, "subtype code"), str(data.get("scheme", ""))


def _load_department(item: dict[str, Any], aspects: dict[str, Aspect], districts: dict[str, str]) -> Department:
    label = f"department {item.get('code')!r} ({item.get('name_zh', '?')})"
    dept: Department = _build(Department, item, DEPARTMENTS_FILE, label, aspects=tuple(item.get("aspects", ())))
    _check(dept.level in LEVELS, DEPARTMENTS_FILE, label, f"unknown level {dept.level!r}")
    if dept.level == "city":
        _check(dept.district is None, DEPARTMENTS_FILE, label, "city-level department must have district null")
    else:
        _check(dept.district in districts, DEPARTMENTS_FILE, label, f"unknown district {dept.district!r}")
    _check(dept.centre is None or dept.centre in CENTRES, DEPARTMENTS_FILE, label, f"unknown centre {dept.centre!r}")
    _check(bool(dept.aspects), DEPARTMENTS_FILE, label, "handles no aspect")
    for code in dept.aspects:
        _check(code in aspects, DEPARTMENTS_FILE, label, f"unknown aspect {code!r}")
    return dept


def _load_departments(folder: Path, aspects: dict[str, Aspect]) -> tuple[dict[str, Department], dict[str, str]]:
    data = _read(folder, DEPARTMENTS_FILE)
    districts = {str(d.get("code")): str(d.get("name_zh", "")) for d in _items(data, "districts", DEPARTMENTS_FILE)}
    depts = [_load_department(i, aspects, districts) for i in _items(data, "departments", DEPARTMENTS_FILE)]
    return _index(depts, "code", DEPARTMENTS_FILE, "department code"), districts


def _load_user(item: dict[str, Any], departments: dict[str, Department]) -> User:
    label = f"user {item.get('username')!r}"
    user: User = _build(User, item, USERS_FILE, label)
    _check(user.username.isascii() and bool(user.username), USERS_FILE, label, "username must be non-empty ASCII")
    _check(user.role in ROLES, USERS_FILE, label, f"unknown role {user.role!r}")
    _check(user.department is None or user.department in departments, USERS_FILE, label,
           f"unknown department {user.department!r}")
    _check(user.role != "department_member" or user.department is not None, USERS_FILE, label,
           "department_member needs a department")
    _check(user.password is None or _password_ok(user.password), USERS_FILE, label,
           f"'password' must be text of {MIN_PASSWORD}–{MAX_PASSWORD} characters")
    return user


def _password_ok(password: object) -> bool:
    """An initial password as the accounts accept it: text within the password length limits."""
    return isinstance(password, str) and MIN_PASSWORD <= len(password) <= MAX_PASSWORD


def _load_users(folder: Path, departments: dict[str, Department]) -> tuple[dict[str, User], str]:
    data = _read(folder, USERS_FILE)
    password = data.get("demo_password", "")  # a city package may give none: its people keep their passwords
    if not isinstance(password, str) or (password and not _password_ok(password)):
        raise CatalogError(f"{USERS_FILE}: 'demo_password' must be text of {MIN_PASSWORD}–{MAX_PASSWORD} characters")
    users = [_load_user(i, departments) for i in _items(data, "users", USERS_FILE)]
    indexed = _index(users, "username", USERS_FILE, "username")
    staffed = {u.department for u in users if u.role == "department_member"}
    for code, dept in departments.items():
        if code not in staffed:
            raise CatalogError(f"{USERS_FILE}: department {code!r} ({dept.name_zh}) has no department_member user")
    return indexed, password


def load_catalog(folder: Path) -> Catalog:
    """Read and validate the three catalogue files in ``folder``; raise :class:`CatalogError` on any problem."""
    folder = Path(folder)
    aspects, subtypes, scheme = _load_categories(folder)
    departments, districts = _load_departments(folder, aspects)
    users, password = _load_users(folder, departments)
    return Catalog(aspects=aspects, subtypes=subtypes, departments=departments, users=users,
                   demo_password=password, scheme=scheme, districts=districts)
