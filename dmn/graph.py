"""The loaded DMN files as one graph: which model an href or an import names, and each model's compiled logic
and type conformance (compiled once per graph)."""

from __future__ import annotations

from dmn import model as m
from dmn.boxed_eval import BoxedCompiler, Evaluator, Refused
from dmn.errors import DmnError
from dmn.imports import import_target
from dmn.types import Conformance

Located = tuple[m.Definitions, m.Element]


class Graph:
    """The loaded files, with what evaluating them needs: compilers and type conformance per file."""

    def __init__(self, definitions: list[m.Definitions], names: frozenset[str]) -> None:
        self.definitions = definitions
        # a model is known by its place among those loaded, never by its namespace: files may share one
        self._keys = {id(defs): index for index, defs in enumerate(definitions)}
        self.names = names
        self._targets: dict[tuple[int, int], m.Definitions | None] = {}
        self._conformance: dict[int, Conformance] = {}
        self._compilers: dict[int, BoxedCompiler] = {}
        self._logic: dict[tuple[int, str], Evaluator | Refused] = {}

    def key(self, defs: m.Definitions) -> int:
        """The model's key among those loaded (its position)."""
        return self._keys[id(defs)]

    def imported(self, defs: m.Definitions, imported: m.Import) -> m.Definitions | None:
        """The loaded model an import of ``defs`` names (None when none is loaded)."""
        cache = (self.key(defs), id(imported))
        if cache not in self._targets:
            self._targets[cache] = import_target(self.definitions, defs, imported)
        return self._targets[cache]

    def resolve(self, defs: m.Definitions, ref: m.Reference) -> Located:
        """The element an href of ``defs`` points to: its own (an empty or its own namespace; a local href may
        also name an element of an import without a name, whose elements join the importing model's), else one
        of the model its import of that namespace names; DmnError when there is none."""
        candidates: list[m.Definitions | None]
        if not ref.namespace or ref.namespace == defs.namespace:
            candidates = [defs, *self.unnamed_imports(defs)]
        else:
            candidates = [self.imported(defs, imported) for imported in defs.imports
                          if imported.namespace == ref.namespace]
            # an href into a namespace the model does not import: any model declaring it
            candidates += [other for other in self.definitions if other.namespace == ref.namespace]
        for target in candidates:
            element = None if target is None else target.elements.get(ref.element_id)
            if target is not None and element is not None:
                return target, element
        raise DmnError(f"the reference {ref.namespace}#{ref.element_id} points to nothing loaded", file=defs.path)

    def unnamed_imports(self, defs: m.Definitions) -> list[m.Definitions]:
        """The models ``defs`` imports without a name (DMN 1.4+: their names join its own), and theirs in turn:
        a model's unnamed imports are part of it, so they pass on to whoever imports it without a name."""
        # depth first in import order: an import and what it imports come before the next import, so where two
        # define one name the first found wins (the TCK's 1158-noname-imports 005-009 read it so)
        found: list[m.Definitions] = []
        pending = [defs]
        while pending:
            current = pending.pop()
            if current is not defs:
                if any(current is seen for seen in found):
                    continue  # reached again through another import (or a cycle)
                found.append(current)
            for imported in reversed(current.imports):
                target = self.imported(current, imported)
                if not imported.name and target is not None and target is not defs:
                    pending.append(target)
        return found

    def qualifier(self, defs: m.Definitions, target: m.Definitions) -> str:
        """The name ``defs`` sees ``target``'s elements under ("" for its own and unnamed imports)."""
        if target is defs:
            return ""
        for imported in defs.imports:
            if self.imported(defs, imported) is target:
                return imported.name
        return ""

    def conformance(self, defs: m.Definitions) -> Conformance:
        """Type conformance with ``defs``'s item definitions (and its imports' under their names)."""
        key = self.key(defs)
        if key not in self._conformance:
            self._conformance[key] = Conformance(lambda ref: self._item(defs, ref))
        return self._conformance[key]

    def _item(self, defs: m.Definitions, ref: str) -> m.ItemDefinition | None:
        if ref in defs.item_definitions:
            return defs.item_definitions[ref]
        for unnamed in self.unnamed_imports(defs):
            if ref in unnamed.item_definitions:
                return unnamed.item_definitions[ref]
        qualifier, _, rest = ref.partition(".")
        for imported in defs.imports:
            target = self.imported(defs, imported) if imported.name == qualifier else None
            if target is not None:
                return target.item_definitions.get(rest)
        return None

    def compiler(self, defs: m.Definitions) -> BoxedCompiler:
        """The boxed-expression compiler of ``defs``."""
        key = self.key(defs)
        if key not in self._compilers:
            self._compilers[key] = BoxedCompiler(self.names, self.conformance(defs))
        return self._compilers[key]

    def logic(self, defs: m.Definitions, element: m.Decision | m.BusinessKnowledgeModel) -> Evaluator:
        """The element's compiled logic (compiled once); Refused with the reason when it cannot run."""
        key = (self.key(defs), element.element_id)
        if key not in self._logic:
            try:
                if element.logic is None:
                    raise Refused("it has no decision logic")
                self._logic[key] = self.compiler(defs).compile(element.logic)
            except Refused as exc:
                self._logic[key] = exc
        found = self._logic[key]
        if isinstance(found, Refused):
            raise found
        return found
