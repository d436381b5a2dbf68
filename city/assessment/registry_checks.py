"""An assessment registry load's checks as a whole: each file on its own (``read_files``), then what the load
refers to (``check_references``): a compound's company (in the load or stored), a department and a checklist's
subtypes (the city's), and each object's point inside the city's grids (``locate_objects``: district, street and
grid from the point)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from city.assessment.registry_checklists import read_checklists, subtypes_named
from city.assessment.registry_files import (
    CHECKLISTS,
    COMPANIES,
    FILE_NAMES,
    MAX_FILE_CHARS,
    OBJECTS,
    Problems,
    RegistryFiles,
    read_companies,
)
from city.assessment.registry_objects import read_objects

Box = tuple[float, float, float, float]
Locate = Callable[[float, float], dict[str, Any] | None]


def read_files(files: dict[str, str], bounds: Box | None) -> tuple[RegistryFiles, Problems]:
    """Read and check each file on its own (``bounds``: the box every object must lie in); an unknown file name
    or a file too large is a problem of its own."""
    problems, parsed = Problems(), RegistryFiles()
    for name, text in files.items():
        if name not in FILE_NAMES:
            problems.add(str(name)[:100], None, "file", f"unknown file: a load holds {', '.join(FILE_NAMES)}")
        elif not isinstance(text, str):
            problems.add(name, None, "file", "must be text")
        elif len(text) > MAX_FILE_CHARS:
            problems.add(name, None, "file", f"at most {MAX_FILE_CHARS:,} characters")
        elif name == COMPANIES:
            parsed.companies = read_companies(text, problems)
        elif name == OBJECTS:
            parsed.objects = read_objects(text, bounds, problems)
        else:
            parsed.checklists = read_checklists(text, problems)
    return parsed, problems


def locate_objects(objects: list[dict[str, Any]], locate: Locate, problems: Problems) -> None:
    """Each object's district, street and grid from its point (in place); a point outside the grids refused."""
    for row in objects:
        if "lon" not in row:
            continue
        where = locate(row["lon"], row["lat"])
        if not where or not where.get("district"):
            problems.add(OBJECTS, row["row"], "geometry", "the point lies outside the city's grids (不在网格范围内)")
            continue
        row.update(district_code=where["district"], street_code=where.get("street"),
                   grid_code=where.get("unit_grid"))


def check_references(parsed: RegistryFiles, stored_companies: Collection[str], departments: Collection[str],
                     subtypes: Collection[str], problems: Problems) -> None:
    """Every reference of the load: companies against the load and the stored ones, departments and subtypes
    against the city's."""
    companies = set(stored_companies) | {c["code"] for c in parsed.companies if c["code"]}
    for row in parsed.objects:
        if row.get("company") and row["company"] not in companies:
            problems.add(OBJECTS, row["row"], "company", f"no property company {row['company']!r}")
        if row.get("department") and row["department"] not in departments:
            problems.add(OBJECTS, row["row"], "department", f"no department {row['department']!r}")
    for scheme, path, subtype in subtypes_named(parsed.checklists):
        if subtype not in subtypes:
            problems.add(CHECKLISTS, None, f"{scheme}.{path}", f"{subtype!r} is not in the city's catalogue")
