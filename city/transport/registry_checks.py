"""A registry load's checks as a whole: each file read on its own (``read_files``), then the references between the
files of the load and the rows already stored (``check_references``) — a vehicle's company, a depot's company, a
permit's company, sites (of the right kind) and plates (of the permit's company), one device per plate — and that
the stored permits
the load does not replace still hold: a vehicle they name keeps their company, a site they name keeps its kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from city.transport.registry_files import (
    COMPANIES,
    FILE_NAMES,
    MAX_FILE_CHARS,
    PERMITS,
    SITES,
    VEHICLES,
    Problems,
    RegistryFiles,
    read_csv,
)
from city.transport.registry_geojson import read_permits, read_sites

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Stored:
    """What the registries already hold, as the references need it: company codes, each plate's company code and
    device, each site's kind, each permit's company, sites and plates (by permit code)."""

    companies: frozenset[str] = frozenset()
    vehicles: dict[str, tuple[str, str]] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    permits: dict[str, tuple[str, str, str, tuple[str, ...]]] = field(default_factory=dict)


def read_files(files: dict[str, str], bounds: Box | None) -> tuple[RegistryFiles, Problems]:
    """Read and check each file on its own (``bounds``: the box every site and corridor must lie in, None: the
    whole world); an unknown file name is a problem of its own."""
    problems, parsed = Problems(), RegistryFiles()
    for name, text in files.items():
        if name not in FILE_NAMES:
            problems.add(name, None, "file", f"unknown file: a load holds {', '.join(FILE_NAMES)}")
        elif len(text) > MAX_FILE_CHARS:
            problems.add(name, None, "file", f"at most {MAX_FILE_CHARS:,} characters")
        elif name == COMPANIES:
            parsed.companies = read_csv(name, text, problems)
        elif name == VEHICLES:
            parsed.vehicles = read_csv(name, text, problems)
        elif name == SITES:
            parsed.sites = read_sites(text, bounds, problems)
        else:
            parsed.permits = read_permits(text, bounds, problems)
    return parsed, problems


def check_references(parsed: RegistryFiles, stored: Stored, problems: Problems) -> None:
    """Every reference of the load, against the load and the stored rows as they will be once it is applied."""
    companies = stored.companies | {c["code"] for c in parsed.companies if c["code"]}
    owners = {plate: company for plate, (company, _) in stored.vehicles.items()}
    devices = {plate: device for plate, (_, device) in stored.vehicles.items()}
    for vehicle in parsed.vehicles:
        if vehicle["plate"]:
            owners[vehicle["plate"]], devices[vehicle["plate"]] = vehicle["company_code"], vehicle["device_id"]
        if vehicle["company_code"] and vehicle["company_code"] not in companies:
            problems.add(VEHICLES, vehicle["row"], "company_code", f"no company {vehicle['company_code']!r}")
    for site in parsed.sites:
        if site["company_code"] and site["company_code"] not in companies:
            problems.add(SITES, site["row"], "company_code", f"no company {site['company_code']!r}")
    _one_device_per_plate(parsed, devices, problems)
    kinds = {**stored.sites, **{s["code"]: s["kind"] for s in parsed.sites if s["code"]}}
    for permit in parsed.permits:
        _permit_references(permit, companies, owners, kinds, problems)
    _stored_permits_hold(parsed, stored, owners, kinds, problems)


def _one_device_per_plate(parsed: RegistryFiles, devices: dict[str, str], problems: Problems) -> None:
    holders: dict[str, list[str]] = {}
    for plate, device in devices.items():
        holders.setdefault(device, []).append(plate)
    for vehicle in parsed.vehicles:
        others = [p for p in holders.get(vehicle["device_id"], []) if p != vehicle["plate"]]
        if vehicle["device_id"] and others:
            problems.add(VEHICLES, vehicle["row"], "device_id",
                         f"{vehicle['device_id']!r} is also the device of {', '.join(sorted(others))}")


def _permit_references(permit: dict[str, Any], companies: frozenset[str] | set[str], owners: dict[str, str],
                       kinds: dict[str, str], problems: Problems) -> None:
    row, company = permit["row"], permit["company_code"]
    if company and company not in companies:
        problems.add(PERMITS, row, "company_code", f"no company {company!r}")
    for key, kind in (("source_site", "source"), ("disposal_site", "disposal")):
        code = permit[key]
        if code and code not in kinds:
            problems.add(PERMITS, row, key, f"no site {code!r}")
        elif code and kinds[code] != kind:
            problems.add(PERMITS, row, key, f"site {code!r} is a {kinds[code]} site, not a {kind} site")
    for index, plate in enumerate(permit["plates"]):
        if plate not in owners:
            problems.add(PERMITS, row, f"plates.{index}", f"no vehicle {plate!r}")
        elif company and owners[plate] != company:
            problems.add(PERMITS, row, f"plates.{index}", f"{plate} belongs to {owners[plate]}, not {company}")


def _stored_permits_hold(parsed: RegistryFiles, stored: Stored, owners: dict[str, str], kinds: dict[str, str],
                         problems: Problems) -> None:
    """A stored permit the load leaves alone must stay true: its vehicles of its company, its sites of their kind
    (the problem is the row that would break it; loading the permit changed alongside is the way)."""
    replaced = {p["code"] for p in parsed.permits}
    vehicle_rows = {v["plate"]: v["row"] for v in parsed.vehicles if v["plate"]}
    site_rows = {s["code"]: s["row"] for s in parsed.sites if s["code"]}
    for code, (company, source, disposal, plates) in sorted(stored.permits.items()):
        if code in replaced:
            continue
        for plate in plates:
            if plate in vehicle_rows and owners.get(plate) != company:
                problems.add(VEHICLES, vehicle_rows[plate], "company_code",
                             f"{plate} is named on permit {code} of {company}: change the permit in the same load")
        for site, kind in ((source, "source"), (disposal, "disposal")):
            if site in site_rows and kinds.get(site) != kind:
                problems.add(SITES, site_rows[site], "kind",
                             f"{site} is the {kind} site of permit {code}: change the permit in the same load")
