"""Reading and editing the deployed responsibility table (责任划分) as DMN XML, whatever its columns.

The table is found by its decision id (``responsibility``); its subtype input is the input whose expression is
``report.subtype`` (or whose label is ``subtype``), its department output the output named ``disposal_unit``.
Moving a subtype's routing changes the disposal unit of every rule whose subtype test names that subtype; a rule
whose test lists the subtype with others is split in two (the others keep their department), so the table stays
UNIQUE. Nothing here touches the generator (city/catalog/rules.py): the edit works on what is deployed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from engine.domain.errors import InvalidCommand

DECISION_ID = "responsibility"
SUBTYPE_EXPRESSION = "report.subtype"
DISPOSAL_OUTPUT = "disposal_unit"
_STRING = re.compile(r'^"([^"\\]*)"$')
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


@dataclass(frozen=True)
class RoutingRow:
    """One rule of the table: its id, the subtypes its test names (empty: any), and its disposal unit."""

    rule_id: str
    subtypes: tuple[str, ...]
    disposal_unit: str | None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and _local(c) == name]


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    found = _children(element, "text")
    return (found[0].text or "").strip() if found else ""


def _strings(test: str) -> tuple[str, ...] | None:
    """The strings a FEEL unary test lists (``"0101"`` or ``"0101","0102"``); None for anything else."""
    if test in ("", "-"):
        return ()
    parts = [p.strip() for p in test.split(",")]
    found = [_STRING.match(p) for p in parts]
    return tuple(m.group(1) for m in found if m) if all(found) else None


def _literal(value: str) -> str:
    return '"' + value + '"'


def _set_text(entry: etree._Element, value: str) -> bool:
    """Set an entry's ``text`` child; False when it already said that."""
    text = _children(entry, "text")
    if not text:
        text = [etree.SubElement(entry, etree.QName(entry, "text").text)]
    if text[0].text == value:
        return False
    text[0].text = value
    return True


def find_table(root: etree._Element) -> tuple[etree._Element, int, int] | None:
    """The responsibility decision table, its subtype input's index and its disposal output's index."""
    for decision in root.iter():
        if not isinstance(decision.tag, str) or _local(decision) != "decision" or decision.get("id") != DECISION_ID:
            continue
        tables = _children(decision, "decisionTable")
        if not tables:
            return None
        table = tables[0]
        inputs = _children(table, "input")
        outputs = _children(table, "output")
        subtype = next((i for i, e in enumerate(inputs) if _text(_children(e, "inputExpression")[0]
                                                               if _children(e, "inputExpression") else None)
                        == SUBTYPE_EXPRESSION or e.get("label") == "subtype"), None)
        disposal = next((i for i, e in enumerate(outputs) if e.get("name") == DISPOSAL_OUTPUT), None)
        if subtype is None or disposal is None:
            return None
        return table, subtype, disposal
    return None


def parse(dmn: str) -> etree._Element:
    """The DMN document's root element (refused naming the file when it is no XML)."""
    try:
        root = etree.fromstring(dmn.encode(), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidCommand(f"responsibility.dmn: not XML ({exc})", field="rules") from None
    if root.getroottree().docinfo.doctype:  # a DMN needs none; a DOCTYPE only brings entities to expand
        raise InvalidCommand("responsibility.dmn: a DOCTYPE is not allowed in a DMN file", field="rules")
    return root


def rows(dmn: str) -> list[RoutingRow]:
    """Every rule of the deployed responsibility table (empty when the file has no such table)."""
    found = find_table(parse(dmn))
    if found is None:
        return []
    table, subtype, disposal = found
    out = []
    for rule in _children(table, "rule"):
        tests = _children(rule, "inputEntry")
        outputs = _children(rule, "outputEntry")
        names = _strings(_text(tests[subtype])) if subtype < len(tests) else None
        unit = _strings(_text(outputs[disposal])) if disposal < len(outputs) else None
        out.append(RoutingRow(rule.get("id") or "", names or (), unit[0] if unit else None))
    return out


def _split(rule: etree._Element, subtype_index: int, keep: tuple[str, ...], moved: str) -> etree._Element:
    """Narrow ``rule``'s subtype test to ``keep`` and return a copy of it testing ``moved`` alone."""
    twin = copy.deepcopy(rule)
    _set_text(_children(rule, "inputEntry")[subtype_index], ",".join(_literal(s) for s in keep))
    _set_text(_children(twin, "inputEntry")[subtype_index], _literal(moved))
    for element in twin.iter():
        old = element.get("id") if isinstance(element.tag, str) else None
        if old:
            element.set("id", f"{old}_{moved}")
    rule.addnext(twin)
    return twin


def _check_entries(rule: etree._Element, subtype_index: int, disposal: int) -> None:
    """A rule needs an entry for the subtype input and for the disposal output (refused naming ``rules``)."""
    if len(_children(rule, "inputEntry")) <= subtype_index or len(_children(rule, "outputEntry")) <= disposal:
        raise InvalidCommand(f"rule {rule.get('id') or '?'} of the responsibility table has too few entries for its"
                             " columns", field="rules")


def move_subtype(dmn: str, subtype: str, department: str) -> tuple[str, list[str]]:
    """The DMN text with every rule for ``subtype`` routing to ``department``, and the ids of the rules changed.
    Refused when the file has no responsibility table or no rule names the subtype."""
    root = parse(dmn)
    found = find_table(root)
    if found is None:
        raise InvalidCommand("the deployed rules have no responsibility table with a subtype input and a"
                             " disposal_unit output", field="rules")
    table, subtype_index, disposal = found
    changed = []
    for rule in list(_children(table, "rule")):
        _check_entries(rule, subtype_index, disposal)
        names = _strings(_text(_children(rule, "inputEntry")[subtype_index]))
        if not names or subtype not in names:
            continue
        keep = tuple(n for n in dict.fromkeys(names) if n != subtype)  # ("0601","0601") names 0601 once
        target = _split(rule, subtype_index, keep, subtype) if keep else rule
        if _set_text(_children(target, "outputEntry")[disposal], _literal(department)):
            changed.append(target.get("id") or "")
    if not changed and not any(subtype in r.subtypes for r in rows(dmn)):
        raise InvalidCommand(f"no rule of the responsibility table names subtype {subtype}", field="subtype_code")
    text = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text, changed


def rules_naming(dmn: str, department: str) -> list[str]:
    """The ids of the rules whose disposal unit is ``department``."""
    return [r.rule_id for r in rows(dmn) if r.disposal_unit == department]


def routes_by_subtype(dmn: str) -> dict[str, list[str]]:
    """subtype → the disposal units its rules name (in table order, each once)."""
    out: dict[str, list[str]] = {}
    for row in rows(dmn):
        for name in row.subtypes:
            units = out.setdefault(name, [])
            if row.disposal_unit and row.disposal_unit not in units:
                units.append(row.disposal_unit)
    return out
