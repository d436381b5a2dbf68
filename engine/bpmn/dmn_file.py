"""Read DMN 1.1–1.5 files (as dmn-js writes them) into pure :class:`DecisionTable` objects.

Superseded by feel/dmn; kept for the before/after bench (``gridcase bench feel``) and its own tests.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.domain.decision_table import DecisionError, DecisionTable, Rule

DMN_NAMESPACES = (  # as the OMG publishes them and as Camunda, Flowable and dmn-js write them
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",  # 1.1
    "http://www.omg.org/spec/DMN/20151101/dmn11.xsd",  # 1.1, Camunda 7 examples
    "http://www.omg.org/spec/DMN/20151101",  # 1.1
    "http://www.omg.org/spec/DMN/20180521/MODEL/",  # 1.2
    "https://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",  # 1.3
    "https://www.omg.org/spec/DMN/20211108/MODEL/",  # 1.4
    "https://www.omg.org/spec/DMN/20230324/MODEL/",  # 1.5
)
# Every spelling of those (http or https, with or without the trailing slash or .xsd): the elements gridcase
# reads (decision, decisionTable, input, output, rule and their entries) are the same in 1.1 to 1.5.
_DMN_NAMESPACE = re.compile(r"https?://www\.omg\.org/spec/DMN/(20151101|20180521|20191111|20211108|20230324)"
                            r"(/MODEL/?|/dmn\.xsd|/dmn11\.xsd)?")

Decisions = dict[str, DecisionTable]
Requirements = dict[str, list[str]]


class DmnFileError(ValueError):
    """A DMN file gridcase cannot load; the message names the decision (and rule) at fault."""


def _text(element: etree._Element | None, ns: str, child: str = "text") -> str | None:
    """The text of ``element``'s ``child`` (``None`` when either is missing)."""
    if element is None:
        return None
    found = element.find(f"{{{ns}}}{child}")
    return None if found is None else (found.text or "")


def _rule(rule: etree._Element, ns: str, decision_id: str, index: int) -> Rule:
    rule_id = rule.get("id") or f"{decision_id}#rule{index + 1}"
    return Rule(
        inputs=[_text(entry, ns) or "" for entry in rule.findall(f"{{{ns}}}inputEntry")],
        outputs=[_text(entry, ns) or "" for entry in rule.findall(f"{{{ns}}}outputEntry")],
        rule_id=rule_id,
    )


def _table(decision: etree._Element, ns: str) -> DecisionTable:
    decision_id = decision.get("id") or ""
    name = decision.get("name") or decision_id
    table = decision.find(f"{{{ns}}}decisionTable")
    if table is None:
        raise DmnFileError(f"decision {decision_id!r} ({name}) is not a decision table; only decision tables run")
    inputs, input_values = [], []
    for column in table.findall(f"{{{ns}}}input"):
        expression = _text(column.find(f"{{{ns}}}inputExpression"), ns)
        if not (expression or "").strip():
            raise DmnFileError(f"decision {decision_id!r}: input {column.get('id')!r} has no input expression")
        inputs.append(expression or "")
        input_values.append(_text(column.find(f"{{{ns}}}inputValues"), ns))
    columns = table.findall(f"{{{ns}}}output")
    single_name = name if len(columns) == 1 else None
    outputs = [column.get("name") or column.get("label") or single_name or column.get("id") or "" for column in columns]
    output_values = [_text(column.find(f"{{{ns}}}outputValues"), ns) for column in columns]
    rules = [_rule(rule, ns, decision_id, index) for index, rule in enumerate(table.findall(f"{{{ns}}}rule"))]
    try:
        return DecisionTable(decision_id=decision_id, name=name, inputs=inputs, outputs=outputs, rules=rules,
                             hit_policy=table.get("hitPolicy") or "UNIQUE", aggregation=table.get("aggregation"),
                             input_values=input_values, output_values=output_values)
    except DecisionError as exc:
        raise DmnFileError(str(exc)) from exc


def _requirements(decision: etree._Element, ns: str) -> list[str]:
    required = []
    for requirement in decision.findall(f"{{{ns}}}informationRequirement/{{{ns}}}requiredDecision"):
        href = requirement.get("href") or ""
        required.append(href.rsplit("#", 1)[-1])
    return required


def is_dmn_namespace(namespace: str) -> bool:
    """True for the namespace of DMN 1.1, 1.2, 1.3, 1.4 or 1.5 in any of its published spellings."""
    return _DMN_NAMESPACE.fullmatch(namespace) is not None


def parse_dmn(text: str | bytes) -> tuple[Decisions, Requirements]:
    """Parse a DMN document: its decision tables by id and, per decision, the ids of the decisions it requires."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(text.encode() if isinstance(text, str) else text, parser)
    except etree.XMLSyntaxError as exc:
        raise DmnFileError(f"not well-formed DMN XML: {exc}") from exc
    ns = etree.QName(root).namespace or ""
    if not is_dmn_namespace(ns) or etree.QName(root).localname != "definitions":
        raise DmnFileError(f"not a DMN 1.1-1.5 definitions document: the root element is "
                           f"{etree.QName(root).localname!r} in namespace {ns or 'none'!r}; gridcase reads "
                           "<definitions> in the namespace of DMN 1.1 "
                           "(http://www.omg.org/spec/DMN/20151101/dmn.xsd) to 1.5 "
                           "(https://www.omg.org/spec/DMN/20230324/MODEL/)")
    decisions: Decisions = {}
    requirements: Requirements = {}
    for decision in root.findall(f"{{{ns}}}decision"):
        table = _table(decision, ns)
        if table.decision_id in decisions:
            raise DmnFileError(f"decision id {table.decision_id!r} is used twice")
        decisions[table.decision_id] = table
        requirements[table.decision_id] = _requirements(decision, ns)
    for decision_id, required in requirements.items():
        for required_id in required:
            if required_id not in decisions:
                raise DmnFileError(f"decision {decision_id!r} requires unknown decision {required_id!r}")
    return decisions, requirements
