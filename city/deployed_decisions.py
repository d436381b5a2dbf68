"""A deployed version's decision table found by its decision: the DMN source of the version's bundle that defines
it (the transport alerts' ``gps_violation``, the property credit's ``property_credit``)."""

from __future__ import annotations

from lxml import etree

from city.persistence.read.transport_rules import version_source_texts
from engine.persistence.repositories.cases import CaseStore


def defines_decision(text: str, decision: str) -> bool:
    """Whether a DMN text has a decision with the id (or name) ``decision``."""
    try:
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return False
    return any(decision in (element.get("id"), element.get("name")) for element in root.iter("{*}decision"))


def deployed_decision_text(store: CaseStore, version_id: int, decision: str) -> str | None:
    """The text of the DMN source defining ``decision`` in a deployed version's bundle (its sources in name
    order, the first that defines it); None when the version is gone or its bundle has no such decision."""
    sources = version_source_texts(store, version_id)
    if sources is None:
        return None
    for name in sorted(sources):
        if name.lower().endswith(".dmn") and defines_decision(sources[name], decision):
            return sources[name]
    return None
