"""The DMN model as plain, immutable Python objects: what ``dmn.reader`` builds from XML and ``dmn.model_eval``
evaluates. Expressions are kept as FEEL text here; they are compiled when their decision first runs, so a
construct gridcase cannot evaluate refuses its own decision only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemDefinition:
    """An ``itemDefinition`` (or one of its ``itemComponent``s): a base type, allowed values, components."""

    name: str
    type_ref: str | None = None
    allowed_values: str | None = None  # unary tests text
    is_collection: bool = False
    components: tuple[ItemDefinition, ...] = ()
    is_function: bool = False
    type_constraint: str | None = None  # DMN 1.5: unary tests on each item of a collection
    function_output: str | None = None  # a functionItem's outputTypeRef
    function_parameters: tuple[Parameter, ...] = ()  # a functionItem's typed parameters


# ---- boxed expressions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """Base of the boxed expressions: the element id and its declared typeRef."""

    element_id: str
    type_ref: str | None


@dataclass(frozen=True)
class Literal(Expr):
    """A literal expression: FEEL text."""

    text: str


@dataclass(frozen=True)
class TableInput:
    """A decision table input column: its expression, input values (unary tests) and type."""

    expression: str
    values: str | None
    type_ref: str | None


@dataclass(frozen=True)
class TableOutput:
    """A decision table output column: name, type, output values (priorities) and default output entry."""

    name: str
    type_ref: str | None
    values: str | None
    default: str | None


@dataclass(frozen=True)
class TableRule:
    """One rule: input entries (unary tests) and output entries (expressions)."""

    rule_id: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    output_types: tuple[str | None, ...] = ()  # an output entry's own typeRef, per output


@dataclass(frozen=True)
class DecisionTable(Expr):
    """A decision table with its hit policy and aggregation (for COLLECT)."""

    hit_policy: str
    aggregation: str | None
    inputs: tuple[TableInput, ...]
    outputs: tuple[TableOutput, ...]
    rules: tuple[TableRule, ...]


@dataclass(frozen=True)
class ContextEntry:
    """One entry of a boxed context; ``name`` None for the final result entry."""

    name: str | None
    value: Expr
    type_ref: str | None = None


@dataclass(frozen=True)
class Context(Expr):
    """A boxed context."""

    entries: tuple[ContextEntry, ...]


@dataclass(frozen=True)
class Binding:
    """A parameter binding of an invocation (``value`` None binds null)."""

    name: str
    value: Expr | None
    type_ref: str | None = None  # the parameter's declared type


@dataclass(frozen=True)
class Invocation(Expr):
    """An invocation: the callee's name (usually a business knowledge model) and named bindings."""

    callee: str
    bindings: tuple[Binding, ...]


@dataclass(frozen=True)
class ListExpr(Expr):
    """A boxed list."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Relation(Expr):
    """A relation: a list of contexts with the same columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Expr, ...], ...]
    column_types: tuple[str | None, ...] = ()  # each column's typeRef (empty: none declared)


@dataclass(frozen=True)
class Parameter:
    """A function parameter with its declared type."""

    name: str
    type_ref: str | None = None


@dataclass(frozen=True)
class FunctionDefinition(Expr):
    """A function definition; ``kind`` FEEL (or Java/PMML, which gridcase refuses)."""

    parameters: tuple[Parameter, ...]
    body: Expr | None
    kind: str = "FEEL"


@dataclass(frozen=True)
class Conditional(Expr):
    """The boxed ``if``/``then``/``else`` (DMN 1.4)."""

    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True)
class Filter(Expr):
    """The boxed filter (DMN 1.4): ``in`` filtered by ``match``."""

    source: Expr
    match: Expr


@dataclass(frozen=True)
class Iteration(Expr):
    """The boxed ``for``/``some``/``every`` (DMN 1.4): ``kind`` is "for", "some" or "every"."""

    kind: str
    variable: str
    source: Expr
    body: Expr


@dataclass(frozen=True)
class Unsupported(Expr):
    """A construct gridcase does not evaluate; its decision is refused with ``reason``."""

    reason: str


# ---- DRG elements ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """An ``href``: the namespace it points into ("" for the same file) and the element id."""

    namespace: str
    element_id: str


@dataclass(frozen=True)
class InputData:
    """An input data element."""

    element_id: str
    name: str
    type_ref: str | None


@dataclass(frozen=True)
class Decision:
    """A decision: its logic and what it requires."""

    element_id: str
    name: str
    type_ref: str | None
    logic: Expr | None
    required_decisions: tuple[Reference, ...] = ()
    required_inputs: tuple[Reference, ...] = ()
    required_knowledge: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class BusinessKnowledgeModel:
    """A business knowledge model: a function definition and the knowledge it requires."""

    element_id: str
    name: str
    type_ref: str | None
    logic: Expr | None
    required_knowledge: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class DecisionService:
    """A decision service: output, encapsulated and input decisions, and input data."""

    element_id: str
    name: str
    type_ref: str | None
    outputs: tuple[Reference, ...]
    encapsulated: tuple[Reference, ...]
    input_decisions: tuple[Reference, ...]
    input_data: tuple[Reference, ...]


@dataclass(frozen=True)
class Import:
    """An ``import`` of another model by namespace; its elements are qualified by ``name``."""

    namespace: str
    name: str
    import_type: str
    location: str = ""  # locationURI: tells files of the same namespace apart


Element = InputData | Decision | BusinessKnowledgeModel | DecisionService


@dataclass
class Definitions:
    """One DMN file: its namespace, item definitions and DRG elements (by id)."""

    namespace: str
    name: str
    path: str
    item_definitions: dict[str, ItemDefinition] = field(default_factory=dict)
    elements: dict[str, Element] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)

    def find(self, id_or_name: str) -> Element | None:
        """The element with this id, else the one with this name."""
        if id_or_name in self.elements:
            return self.elements[id_or_name]
        for element in self.elements.values():
            if element.name == id_or_name:
                return element
        return None
