"""DMN 1.1–1.5 XML files into ``dmn.model`` objects (lxml; entities and the network off)."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from dmn import model as m
from dmn.boxed_reader import Element, child, children, expression, expression_in, local, text_of, type_ref
from dmn.errors import DmnError

# Every published spelling of the DMN 1.1–1.5 namespaces (http or https, with or without the trailing slash,
# .xsd or dmn11.xsd), as the OMG publishes them and Camunda, Flowable, Trisotech and dmn-js write them.
_DMN_NAMESPACE = re.compile(r"https?://www\.omg\.org/spec/DMN/(20151101|20180521|20191111|20211108|20230324)"
                            r"(/MODEL/?|/dmn\.xsd|/dmn11\.xsd)?")


def is_dmn_namespace(namespace: str) -> bool:
    """True for the namespace of DMN 1.1 to 1.5 in any of its spellings."""
    return _DMN_NAMESPACE.fullmatch(namespace) is not None


def read_file(path: Path) -> m.Definitions:
    """One DMN file's definitions; DmnError naming the file (and element) when it is not a DMN model."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DmnError(f"cannot be read: {exc.strerror}", file=str(path)) from exc
    return read_bytes(data, str(path))


def read_bytes(data: bytes, name: str = "<dmn>") -> m.Definitions:
    """The definitions of a DMN document given as bytes; ``name`` is used in error messages."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DmnError(f"not well-formed XML: {exc}", file=name) from exc
    namespace = etree.QName(root).namespace or ""
    # some exporters write <definitions> in their own default namespace and the DMN elements under a prefix:
    # the document is still DMN when it declares a DMN namespace (elements are matched by local name)
    declared = any(is_dmn_namespace(uri or "") for uri in root.nsmap.values())
    if not (is_dmn_namespace(namespace) or declared) or local(root) != "definitions":
        raise DmnError(f"the root element is {local(root)!r} in namespace {namespace or 'none'!r}, not the "
                       "<definitions> of DMN 1.1–1.5", file=name, element_id=root.get("id"))
    definitions = m.Definitions(namespace=root.get("namespace") or "", name=root.get("name") or "", path=name)
    for item in children(root, "itemDefinition"):
        definition = _item_definition(item)
        definitions.item_definitions[definition.name] = definition
    for imported in children(root, "import"):
        definitions.imports.append(m.Import(imported.get("namespace") or "", imported.get("name") or "",
                                            imported.get("importType") or "", imported.get("locationURI") or ""))
    for element in root:
        if not isinstance(element.tag, str):
            continue
        built = _drg_element(element)
        if built is None:
            continue
        if built.element_id in definitions.elements:
            raise DmnError("the id is used twice", file=name, element_id=built.element_id)
        definitions.elements[built.element_id] = built
    return definitions


def _item_definition(element: Element) -> m.ItemDefinition:
    ref_element = child(element, "typeRef")
    ref = type_ref(ref_element.text if ref_element is not None else element.get("typeRef"))
    function = child(element, "functionItem")
    return m.ItemDefinition(
        name=element.get("name") or "",
        type_ref=ref,
        allowed_values=text_of(child(element, "allowedValues")),
        is_collection=(element.get("isCollection") or "false").strip() == "true",
        components=tuple(_item_definition(component) for component in children(element, "itemComponent")),
        type_constraint=text_of(child(element, "typeConstraint")),
        is_function=function is not None,
        function_output=None if function is None else type_ref(function.get("outputTypeRef")),
        function_parameters=() if function is None else tuple(
            m.Parameter(parameter.get("name") or "", type_ref(parameter.get("typeRef")))
            for parameter in children(function, "parameters")
        ),
    )


def _reference(element: Element) -> m.Reference:
    href = (element.get("href") or "").strip()
    namespace, _, element_id = href.rpartition("#")
    return m.Reference(namespace, element_id)


def _references(element: Element, path: tuple[str, str]) -> tuple[m.Reference, ...]:
    outer, inner = path
    return tuple(_reference(ref) for requirement in children(element, outer) for ref in children(requirement, inner))


def _variable_type(element: Element) -> str | None:
    variable = child(element, "variable")
    return None if variable is None else type_ref(variable.get("typeRef"))


def _drg_element(element: Element) -> m.Element | None:
    kind = local(element)
    element_id = element.get("id") or element.get("name") or ""
    name = element.get("name") or element_id
    if kind == "inputData":
        return m.InputData(element_id, name, _variable_type(element))
    if kind == "decision":
        return _decision(element, element_id, name)
    if kind == "businessKnowledgeModel":
        logic = child(element, "encapsulatedLogic")
        return m.BusinessKnowledgeModel(
            element_id, name, _variable_type(element),
            None if logic is None else expression(logic),
            _references(element, ("knowledgeRequirement", "requiredKnowledge")),
        )
    if kind == "decisionService":
        return m.DecisionService(
            element_id, name, _variable_type(element),
            outputs=tuple(_reference(ref) for ref in children(element, "outputDecision")),
            encapsulated=tuple(_reference(ref) for ref in children(element, "encapsulatedDecision")),
            input_decisions=tuple(_reference(ref) for ref in children(element, "inputDecision")),
            input_data=tuple(_reference(ref) for ref in children(element, "inputData")),
        )
    return None


def _decision(element: Element, element_id: str, name: str) -> m.Decision:
    logic = None
    for item in element:
        if isinstance(item.tag, str) and local(item) not in _DECISION_PARTS:
            logic = expression(item)
            break
    if logic is None and any(isinstance(item.tag, str) and local(item) == "expression" for item in element):
        logic = expression_in(element, f"decision {name!r}")
    return m.Decision(
        element_id, name, _variable_type(element), logic,
        required_decisions=_references(element, ("informationRequirement", "requiredDecision")),
        required_inputs=_references(element, ("informationRequirement", "requiredInput")),
        required_knowledge=_references(element, ("knowledgeRequirement", "requiredKnowledge")),
    )


# the children of <decision> that are not its logic
_DECISION_PARTS = frozenset({
    "description", "extensionElements", "question", "allowedAnswers", "variable", "informationRequirement",
    "knowledgeRequirement", "authorityRequirement", "supportedObjective", "impactedPerformanceIndicator",
    "decisionMaker", "decisionOwner", "usingProcess", "usingTask",
})


def dmn_files(paths: list[Path]) -> list[Path]:
    """The DMN files among ``paths`` (folders are searched for ``*.dmn``), each once; DmnError when none."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.dmn")))
        else:
            files.append(path)
    if not files:
        raise DmnError("no DMN file given", file=", ".join(str(path) for path in paths))
    return list(dict.fromkeys(files))


def read_folder(paths: list[Path]) -> list[m.Definitions]:
    """Every DMN file among ``paths`` (folders are searched for ``*.dmn``), each read once."""
    return [read_file(path) for path in dmn_files(paths)]
