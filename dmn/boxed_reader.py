"""Boxed expressions from DMN XML: literal expressions, decision tables, contexts, invocations, lists,
relations, function definitions and DMN 1.4's conditional, filter and iterators."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from dmn import model as m

Element = etree._Element


def local(element: Element) -> str:
    """The element's name without its namespace."""
    return etree.QName(element).localname


def children(element: Element, name: str) -> list[Element]:
    """Child elements called ``name`` (any namespace: files mix DMN versions' prefixes rarely, but they do)."""
    return [child for child in element if isinstance(child.tag, str) and local(child) == name]


def child(element: Element | None, name: str) -> Element | None:
    """The first child element called ``name``, or None."""
    if element is None:
        return None
    found = children(element, name)
    return found[0] if found else None


def text_of(element: Element | None) -> str | None:
    """The text of ``element``'s ``<text>`` child (None when either is missing)."""
    found = child(element, "text")
    return None if found is None else (found.text or "")


def type_ref(value: str | None) -> str | None:
    """A typeRef without the QName prefix DMN 1.1 writes (``feel:number`` → ``number``)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    return value.split(":", 1)[1] if ":" in value and not value.startswith("{") else value


EXPRESSION_TAGS = frozenset({"literalExpression", "decisionTable", "context", "invocation", "list", "relation",
                             "functionDefinition", "conditional", "filter", "for", "some", "every"})


def first_expression(element: Element) -> Element | None:
    """The first child of ``element`` that is a boxed expression (or an unknown expression element)."""
    for item in element:
        if not isinstance(item.tag, str):
            continue
        name = local(item)
        if name in EXPRESSION_TAGS or name in {"importedValues", "expression"}:
            return item
    return None


def expression(element: Element) -> m.Expr:
    """The boxed expression of one XML element."""
    kind = local(element)
    element_id = element.get("id") or ""
    ref = type_ref(element.get("typeRef"))
    reader = _READERS.get(kind)
    if reader is None:
        return m.Unsupported(element_id, ref, f"the {kind} expression is not supported")
    return reader(element, element_id, ref)


def expression_in(element: Element | None, what: str) -> m.Expr:
    """The boxed expression inside ``element``; Unsupported when it has none."""
    found = None if element is None else first_expression(element)
    if found is None:
        return m.Unsupported("", None, f"{what} has no expression")
    return expression(found)


def _literal(element: Element, element_id: str, ref: str | None) -> m.Expr:
    language = element.get("expressionLanguage")
    if language and "feel" not in language.lower():
        return m.Unsupported(element_id, ref, f"expression language {language!r} is not FEEL")
    return m.Literal(element_id, ref, text_of(element) or "")


def _table(element: Element, element_id: str, ref: str | None) -> m.Expr:
    inputs = tuple(
        m.TableInput(
            expression=text_of(child(column, "inputExpression")) or "",
            values=text_of(child(column, "inputValues")),
            type_ref=_input_type(column),
        )
        for column in children(element, "input")
    )
    columns = children(element, "output")
    outputs = tuple(
        m.TableOutput(
            name=column.get("name") or column.get("label") or f"output {index + 1}",
            type_ref=type_ref(column.get("typeRef")),
            values=text_of(child(column, "outputValues")),
            default=text_of(child(column, "defaultOutputEntry")),
        )
        for index, column in enumerate(columns)
    )
    rules = tuple(
        m.TableRule(
            rule_id=rule.get("id") or f"{element_id}#rule{index + 1}",
            inputs=tuple(text_of(entry) or "-" for entry in children(rule, "inputEntry")),
            outputs=tuple(text_of(entry) or "" for entry in children(rule, "outputEntry")),
            output_types=tuple(type_ref(entry.get("typeRef")) for entry in children(rule, "outputEntry")),
        )
        for index, rule in enumerate(children(element, "rule"))
    )
    return m.DecisionTable(element_id, ref, hit_policy=(element.get("hitPolicy") or "UNIQUE").upper(),
                           aggregation=element.get("aggregation"), inputs=inputs, outputs=outputs, rules=rules)


def _input_type(column: Element) -> str | None:
    found = child(column, "inputExpression")
    return type_ref((column if found is None else found).get("typeRef"))


def _context(element: Element, element_id: str, ref: str | None) -> m.Expr:
    entries = []
    for entry in children(element, "contextEntry"):
        variable = child(entry, "variable")
        name = None if variable is None else variable.get("name")
        entry_type = None if variable is None else type_ref(variable.get("typeRef"))
        entries.append(m.ContextEntry(name, expression_in(entry, f"context entry {name!r}"), entry_type))
    return m.Context(element_id, ref, tuple(entries))


def _invocation(element: Element, element_id: str, ref: str | None) -> m.Expr:
    callee = first_expression(element)
    if callee is None or local(callee) != "literalExpression":
        return m.Unsupported(element_id, ref, "the invocation names no function")
    bindings = []
    for binding in children(element, "binding"):
        parameter = child(binding, "parameter")
        name = "" if parameter is None else parameter.get("name") or ""
        value = first_expression(binding)
        declared = None if parameter is None else type_ref(parameter.get("typeRef"))
        bindings.append(m.Binding(name, None if value is None else expression(value), declared))
    return m.Invocation(element_id, ref, (text_of(callee) or "").strip(), tuple(bindings))


def _list(element: Element, element_id: str, ref: str | None) -> m.Expr:
    items = tuple(expression(item) for item in element if isinstance(item.tag, str) and local(item) in EXPRESSION_TAGS)
    return m.ListExpr(element_id, ref, items)


def _relation(element: Element, element_id: str, ref: str | None) -> m.Expr:
    columns = tuple(column.get("name") or "" for column in children(element, "column"))
    column_types = tuple(type_ref(column.get("typeRef")) for column in children(element, "column"))
    rows = []
    for row in children(element, "row"):
        cells = tuple(expression(cell) for cell in row if isinstance(cell.tag, str) and local(cell) in EXPRESSION_TAGS)
        if len(cells) != len(columns):
            return m.Unsupported(element_id, ref, f"a relation row has {len(cells)} cells for {len(columns)} columns")
        rows.append(cells)
    return m.Relation(element_id, ref, columns, tuple(rows), column_types)


def _function(element: Element, element_id: str, ref: str | None) -> m.Expr:
    parameters = tuple(m.Parameter(parameter.get("name") or "", type_ref(parameter.get("typeRef")))
                       for parameter in children(element, "formalParameter"))
    body = first_expression(element)
    kind = (element.get("kind") or "FEEL").upper()
    return m.FunctionDefinition(element_id, ref, parameters, None if body is None else expression(body), kind)


def _conditional(element: Element, element_id: str, ref: str | None) -> m.Expr:
    return m.Conditional(element_id, ref, expression_in(child(element, "if"), "if"),
                         expression_in(child(element, "then"), "then"), expression_in(child(element, "else"), "else"))


def _filter(element: Element, element_id: str, ref: str | None) -> m.Expr:
    return m.Filter(element_id, ref, expression_in(child(element, "in"), "in"),
                    expression_in(child(element, "match"), "match"))


def _iteration(element: Element, element_id: str, ref: str | None) -> m.Expr:
    kind = local(element)
    body = child(element, "return") if kind == "for" else child(element, "satisfies")
    return m.Iteration(element_id, ref, kind, element.get("iteratorVariable") or "",
                       expression_in(child(element, "in"), "in"), expression_in(body, kind))


_READERS: dict[str, Callable[[Element, str, str | None], m.Expr]] = {
    "literalExpression": _literal,
    "decisionTable": _table,
    "context": _context,
    "invocation": _invocation,
    "list": _list,
    "relation": _relation,
    "functionDefinition": _function,
    "encapsulatedLogic": _function,
    "conditional": _conditional,
    "filter": _filter,
    "for": _iteration,
    "some": _iteration,
    "every": _iteration,
}
